/** Moved to shared/errors.ts (below every folder, so auth/, providers/ and http/ need no cycle); kept for imports of the old path. */
export * from '../errors';
