import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { AcfleetError, ConfigError, ErrorCodes } from '../core/errors.js';
import { fleetConfigSchema, type FleetConfig } from './schema.js';

/** `groups[0].location.lat` from zod's path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(top level)';
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function issueLines(issue: z.core.$ZodIssue, where: (path: readonly PropertyKey[]) => string): string[] {
  if (issue.code === 'unrecognized_keys') {
    // One line per unknown key, at the key's own path and line.
    return issue.keys.map((key) => {
      const at = [...issue.path, key];
      return `${where(at)}${formatPath(at)}: unknown key (check the spelling; the keys are documented in README.md, "Configuration")`;
    });
  }
  let message = issue.message;
  if (issue.code === 'invalid_value') message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  else if (issue.code === 'invalid_type' && issue.input === undefined) message = `is required (${issue.expected})`;
  else if (issue.code === 'invalid_union' && 'input' in issue && issue.input === undefined) message = 'is required';
  const got = 'input' in issue && issue.input !== undefined ? `, got ${describeValue(issue.input)}` : '';
  return [`${where(issue.path)}${formatPath(issue.path)}: ${message}${got}`];
}

/** One line per problem, `path: message, got value`, as fleet.yaml's errors read (no line numbers). */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((i) => issueLines(i, () => ''));
}

/** Validates an already-parsed object; `where` maps a path to a "line N, " prefix when known. */
export function validateConfig(
  raw: unknown,
  file = 'configuration',
  where: (path: readonly PropertyKey[]) => string = () => '',
): FleetConfig {
  const parsed = fleetConfigSchema.safeParse(raw, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new ConfigError(file, parsed.error.issues.flatMap((i) => issueLines(i, where)));
}

export function parseConfigText(text: string, file = 'fleet.yaml'): FleetConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => `line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]} (YAML syntax)`),
    );
  }
  const where = (path: readonly PropertyKey[]): string => {
    // Walk up until a node exists: an unknown or missing key has no node of its own.
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true);
      if (isNode(node) && node.range) return `line ${lineCounter.linePos(node.range[0]).line}, `;
    }
    return '';
  };
  return validateConfig(doc.toJS() ?? {}, file, where);
}

export function loadConfigFile(file: string): FleetConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new AcfleetError(
      ErrorCodes.CONFIG_NOT_FOUND,
      `cannot read the fleet configuration ${file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}. Pass --config PATH, or run from the acfleet folder that holds fleet.yaml.`,
      { cause },
    );
  }
  return parseConfigText(text, file);
}
