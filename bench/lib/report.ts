/** The results table (plain padded columns) and the JSON file beside it. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Verdict = 'PASS' | 'MISS' | 'info' | 'SKIP' | 'ERROR';
export type Unit = 'devices/s' | 'msgs/s' | 'ms' | 'bytes' | 'devices';

export interface Row {
  broker: string;
  measure: string;
  unit: Unit;
  acfleet: number | undefined;
  baseline: number | undefined;
  /** acfleet ÷ baseline. */
  ratio: number | undefined;
  target: string;
  result: Verdict;
  note?: string;
}

const isNum = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);

export function formatValue(v: number | undefined, unit: Unit): string {
  if (!isNum(v)) return '—';
  if (unit === 'bytes') return `${(v / 1024).toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 })} KiB`;
  if (unit === 'ms') return `${v.toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 })} ms`;
  return `${Math.round(v).toLocaleString('en-US')} ${unit}`;
}

export const ratioOf = (a: number | undefined, b: number | undefined): number | undefined => (isNum(a) && isNum(b) && b !== 0 ? a / b : undefined);

export function renderTable(rows: readonly Row[]): string {
  const header = ['broker', 'measure', 'acfleet', 'baseline', 'ratio', 'target', 'result'];
  const cells = rows.map((r) => [
    r.broker,
    r.measure,
    formatValue(r.acfleet, r.unit),
    formatValue(r.baseline, r.unit),
    isNum(r.ratio) ? r.ratio.toFixed(2) : '—',
    r.target,
    r.result,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  // Numbers right-aligned, words left-aligned.
  const right = new Set([2, 3, 4]);
  const line = (c: readonly string[]): string =>
    c.map((v, i) => (right.has(i) ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const notes = rows.filter((r) => r.note).map((r) => `  * ${r.broker} / ${r.measure}: ${r.note ?? ''}`);
  return [line(header), rule, ...cells.map(line), ...(notes.length > 0 ? ['', 'notes:', ...notes] : [])].join('\n');
}

/** `fleet-2026-01-02T03-04-05Z.json`: ISO 8601 with the colons made file-name safe. */
export function resultFileName(scenario: string, at: Date): string {
  return `${scenario}-${at.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-')}.json`;
}

export function writeResults(dir: string, scenario: string, at: Date, data: unknown): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, resultFileName(scenario, at));
  // Typed arrays and NaN do not belong in the file: summaries only, NaN becomes null.
  writeFileSync(file, `${JSON.stringify(data, (_k, v: unknown) => (ArrayBuffer.isView(v) ? undefined : v), 2)}\n`);
  return file;
}
