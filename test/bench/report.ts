/**
 * What a bench case hands back, and how the runner prints it. A case module
 * (test/bench/cases/*.ts) exports `run()` answering either rows alone or
 * `{ rows, results }`: rows become lines of the printed table (figure beside
 * its target), results are merged into bench/results.json.
 */
export interface Row {
  /** What was measured. */
  case: string;
  /** The figure, formatted. */
  value: string;
  /** The target, as text; absent for context rows. */
  target?: string;
  /** Whether the figure meets the target (absent: not judged). */
  met?: boolean;
}

export interface CaseOutput {
  rows: Row[];
  results?: Record<string, unknown>;
}

/** Nearest-rank percentile. */
export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
export const ratio = (a: number, b: number) => round(a / b);
export const ms = (n: number) => `${n.toFixed(1)} ms`;
export const kb = (n: number) => `${(n / 1000).toFixed(0)} KB`;

export function markdownTable(rows: Row[]): string {
  const cells = rows.map((r) => [r.case, r.value, r.target ?? '', r.met === undefined ? '' : r.met ? 'yes' : '**no**']);
  const head = ['figure', 'measured', 'target', 'met'];
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(w[i]!)).join(' | ')} |`;
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...cells.map(line)].join('\n');
}
