/**
 * Failure injection settings (issue 6 §2): the `faults` block of fleet.yaml (top level and per
 * group), of `--faults`/`--set` on the command line and of `PUT /_acfleet/faults`. One schema for
 * all of them, so every place reports a mistake the same way, naming its path.
 */
import { z } from 'zod';
import { durationField, formatDuration, parseDuration } from './duration.js';

/** Longest duration a distribution may name: a day of simulated time. */
const MAX_MS = 86_400_000;
const ms = durationField(0, MAX_MS);
const probability = z.number().min(0, 'a probability from 0 to 1').max(1, 'a probability from 0 to 1');

const fixed = z.object({ dist: z.literal('fixed'), value: ms }).strict();
const uniform = z
  .object({ dist: z.literal('uniform'), min: ms, max: ms })
  .strict()
  .refine((d) => d.max >= d.min, { path: ['max'], message: 'must not be below min' });
const lognormal = z
  .object({ dist: z.literal('lognormal'), median: ms, p95: ms })
  .strict()
  .refine((d) => d.median > 0, { path: ['median'], message: 'must be above 0 (a lognormal has no zero median)' })
  .refine((d) => d.p95 > d.median, { path: ['p95'], message: 'must be above median (95% of draws fall below p95)' });
const normal = z.object({ dist: z.literal('normal'), mean: ms, stddev: ms }).strict();

/**
 * A distribution of durations, in ms once parsed. A bare duration ("20s") is shorthand for
 * `{dist: fixed, value: 20s}`.
 */
export const distributionSchema = z.preprocess(
  // Only a valid duration becomes `fixed`: anything else gets the union's error at its own path.
  (v) => (parseDuration(v) !== undefined ? { dist: 'fixed', value: v } : v),
  z.discriminatedUnion('dist', [fixed, uniform, lognormal, normal], {
    error: 'expected a duration such as "20s", or {dist: fixed|uniform|lognormal|normal, …}',
  }),
);
export type Distribution = z.output<typeof distributionSchema>;

const offlineSplit = z
  .object({
    /** Never connects. */
    never: probability.optional(),
    /** Connects, then drops for good after `dropAfter` of simulated time. */
    drops: probability.optional(),
    dropAfter: distributionSchema.optional(),
  })
  .strict();

/** `offline: 0.04` is shorthand for half never connecting, half dropping later. */
const offline = z.union([probability, offlineSplit], { error: 'expected a probability from 0 to 1, or {never, drops, dropAfter}' }).transform((v) =>
  typeof v === 'number' ? { never: v / 2, drops: v / 2 } : v,
);

/** Some fault settings; those left out are inherited (fleet.yaml) or kept (a running fleet). */
export const faultsPatchSchema = z
  .object({
    fail: probability.optional(),
    reject: probability.optional(),
    hang: probability.optional(),
    crash: probability.optional(),
    offline: offline.optional(),
    /** How long a job's work takes; null: device.jobStepDuration. */
    duration: distributionSchema.nullable().optional(),
    /** Added before each MQTT publish; null: none. */
    latency: distributionSchema.nullable().optional(),
  })
  .strict();
export type FaultsPatch = z.output<typeof faultsPatchSchema>;
export type FaultsPatchInput = z.input<typeof faultsPatchSchema>;

/** Every fault setting of one group, inheritance resolved. */
export interface GroupFaultsConfig {
  fail: number;
  reject: number;
  hang: number;
  crash: number;
  offline: { never: number; drops: number; dropAfter: Distribution };
  duration: Distribution | null;
  latency: Distribution | null;
}

/** When a device drops for good, unless `offline.dropAfter` says otherwise: some time into a rollout. */
export const DEFAULT_DROP_AFTER: Distribution = { dist: 'uniform', min: 30_000, max: 600_000 };

export const NO_FAULTS_CONFIG: GroupFaultsConfig = Object.freeze({
  fail: 0,
  reject: 0,
  hang: 0,
  crash: 0,
  offline: { never: 0, drops: 0, dropAfter: DEFAULT_DROP_AFTER },
  duration: null,
  latency: null,
});

/** `over` wins field by field (and within `offline`); `under` fills the rest. */
export function mergeFaults(under: FaultsPatch | undefined, over: FaultsPatch | undefined): FaultsPatch {
  const out: FaultsPatch = { ...under, ...over };
  if (under?.offline && over?.offline) out.offline = { ...under.offline, ...over.offline };
  return out;
}

/** Fills what a patch leaves out with no faults; always the same key order (stored and compared as JSON). */
export function completeFaults(p: FaultsPatch): GroupFaultsConfig {
  const d = NO_FAULTS_CONFIG;
  return {
    fail: p.fail ?? d.fail,
    reject: p.reject ?? d.reject,
    hang: p.hang ?? d.hang,
    crash: p.crash ?? d.crash,
    offline: { never: p.offline?.never ?? 0, drops: p.offline?.drops ?? 0, dropAfter: p.offline?.dropAfter ?? d.offline.dropAfter },
    duration: p.duration ?? null,
    latency: p.latency ?? null,
  };
}

/** A group's faults: the group's own block wins over the top-level one, field by field. */
export function resolveGroupFaults(config: { faults?: FaultsPatch | undefined; groups: readonly { faults?: FaultsPatch | undefined }[] }, groupIndex: number): GroupFaultsConfig {
  return completeFaults(mergeFaults(config.faults, config.groups[groupIndex]?.faults));
}

/** Complete faults per group name. */
export type FaultsByGroup = Record<string, GroupFaultsConfig>;

/** fleet.yaml's faults (with command-line overrides), per group name. */
export function configuredFaults(config: { faults?: FaultsPatch | undefined; groups: readonly { name: string; faults?: FaultsPatch | undefined }[] }): FaultsByGroup {
  return Object.fromEntries(config.groups.map((g, i) => [g.name, resolveGroupFaults(config, i)]));
}

/** Floating-point sums such as 0.7 + 0.2 + 0.1 land a hair above 1. */
const EPSILON = 1e-9;

/** What is wrong with a complete set of faults, as [path below the faults block, message]. */
export function faultsProblems(f: GroupFaultsConfig): [string[], string][] {
  const out: [string[], string][] = [];
  const fates = f.fail + f.reject + f.hang + f.crash;
  // A probability out of range is reported on its own; its sum would only repeat it.
  const inRange = (...ps: number[]): boolean => ps.every((p) => p >= 0 && p <= 1);
  if (fates > 1 + EPSILON && inRange(f.fail, f.reject, f.hang, f.crash)) out.push([[], `fail + reject + hang + crash add up to ${round(fates)}; an execution has one fate, so they must add up to at most 1`]);
  const off = f.offline.never + f.offline.drops;
  if (off > 1 + EPSILON && inRange(f.offline.never, f.offline.drops)) out.push([['offline'], `never + drops add up to ${round(off)}; they must add up to at most 1`]);
  return out;
}

const round = (n: number): number => Math.round(n * 1e6) / 1e6;

/** fleet.yaml's cross-field rules: each group's resolved faults, reported where the user can fix them. */
export function checkFleetFaults(
  cfg: { faults?: FaultsPatch | undefined; groups: readonly { faults?: FaultsPatch | undefined }[] },
  ctx: { addIssue(issue: { code: 'custom'; path: PropertyKey[]; message: string; input: unknown }): void },
): void {
  const top = cfg.faults ? faultsProblems(completeFaults(cfg.faults)) : [];
  for (const [path, message] of top) ctx.addIssue({ code: 'custom', path: ['faults', ...path], message, input: cfg.faults });
  cfg.groups.forEach((g, i) => {
    if (!g.faults) return; // Inherits the top level alone: already reported there.
    for (const [path, message] of faultsProblems(resolveGroupFaults(cfg, i))) {
      if (top.some(([p, m]) => p.join('.') === path.join('.') && m === message)) continue;
      ctx.addIssue({ code: 'custom', path: ['groups', i, 'faults', ...path], message: cfg.faults ? `${message} (with the top-level faults)` : message, input: g.faults });
    }
  });
}

/** A distribution as fleet.yaml would write it: durations as strings, so reading it back gives the same ms. */
export function distributionInput(d: Distribution): Record<string, string> {
  switch (d.dist) {
    case 'fixed':
      return { dist: 'fixed', value: formatDuration(d.value) };
    case 'uniform':
      return { dist: 'uniform', min: formatDuration(d.min), max: formatDuration(d.max) };
    case 'lognormal':
      return { dist: 'lognormal', median: formatDuration(d.median), p95: formatDuration(d.p95) };
    case 'normal':
      return { dist: 'normal', mean: formatDuration(d.mean), stddev: formatDuration(d.stddev) };
  }
}

/** Complete faults in their input form (what GET /_acfleet/faults returns and the store keeps). */
export function faultsInput(f: GroupFaultsConfig): FaultsPatchInput {
  return {
    fail: f.fail,
    reject: f.reject,
    hang: f.hang,
    crash: f.crash,
    offline: { never: f.offline.never, drops: f.offline.drops, dropAfter: distributionInput(f.offline.dropAfter) },
    duration: f.duration && distributionInput(f.duration),
    latency: f.latency && distributionInput(f.latency),
  };
}

/** One line for people: only what is switched on. */
export function describeFaults(f: GroupFaultsConfig): string {
  const parts: string[] = [];
  for (const k of ['fail', 'reject', 'hang', 'crash'] as const) if (f[k] > 0) parts.push(`${k} ${f[k]}`);
  if (f.offline.never > 0) parts.push(`offline never ${f.offline.never}`);
  if (f.offline.drops > 0) parts.push(`offline drops ${f.offline.drops} after ${describeDistribution(f.offline.dropAfter)}`);
  if (f.duration) parts.push(`duration ${describeDistribution(f.duration)}`);
  if (f.latency) parts.push(`latency ${describeDistribution(f.latency)}`);
  return parts.length > 0 ? parts.join(', ') : 'no faults';
}

function describeDistribution(d: Distribution): string {
  const { dist, ...rest } = distributionInput(d);
  return dist === 'fixed' ? String(rest.value) : `${dist}(${Object.entries(rest).map(([k, v]) => `${k} ${v}`).join(', ')})`;
}
