/** Stops the moto_server that global-setup started. */
export default async function globalTeardown() {
  globalThis.__MOTO__?.kill('SIGTERM');
}
