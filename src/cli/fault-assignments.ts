/**
 * Fault settings on the command line: `--faults 'fail=0.1,hang=0.02'` at start and
 * `acfleet faults --set reject=1 --set 'duration={dist: lognormal, median: 20s, p95: 90s}'`.
 * Each assignment is `key=value`; keys may be dotted (`offline.never=0.01`); values are YAML, as
 * in fleet.yaml; commas outside braces and quotes separate assignments. Validated with the same
 * schema as fleet.yaml's `faults` block.
 */
import { parse } from 'yaml';
import { faultsPatchSchema, type FaultsPatch } from '../config/faults.js';
import { formatIssues } from '../config/load.js';
import { UsageError } from './usage-error.js';

export interface FaultAssignments {
  /** As written (durations still strings): what the HTTP API takes. */
  input: Record<string, unknown>;
  /** Parsed (durations in ms): what a fleet.yaml override takes. */
  patch: FaultsPatch;
}

export function parseFaultAssignments(texts: readonly string[], flag: string): FaultAssignments {
  const input: Record<string, unknown> = {};
  for (const text of texts) {
    for (const part of splitTopLevel(text)) {
      const eq = part.indexOf('=');
      const key = part.slice(0, eq).trim();
      if (eq < 0 || key === '') throw new UsageError(`${flag} takes key=value (e.g. fail=0.1,hang=0.02), got ${JSON.stringify(part)}`);
      assign(input, key.split('.'), parseValue(part.slice(eq + 1), flag, key));
    }
  }
  const parsed = faultsPatchSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw new UsageError(formatIssues(parsed.error.issues).map((line) => `${flag} ${line}`).join('\n'));
  return { input, patch: parsed.data };
}

function parseValue(text: string, flag: string, key: string): unknown {
  const trimmed = text.trim();
  // "none" reads better than YAML's null for "no duration/latency distribution".
  if (trimmed === 'none') return null;
  try {
    return parse(trimmed) as unknown;
  } catch (e) {
    throw new UsageError(`${flag} ${key}: cannot read ${JSON.stringify(trimmed)} (${(e as Error).message.split('\n')[0]})`);
  }
}

function assign(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const inner = target[head];
  const next = typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {};
  target[head] = next;
  assign(next, rest, value);
}

/** Splits at commas that are not inside {…}, […] or quotes. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}
