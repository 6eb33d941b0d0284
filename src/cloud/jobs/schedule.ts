/**
 * Job scheduling (spec §4.5): the emulator's cron dialect, maintenance windows, the
 * `scheduledJobRollouts` DescribeJob shows (§3.4), and the gate that combines startTime, endTime
 * and windows into one rollout phase. Pure: time arrives as `nowMs` (simulated epoch ms, UTC), so
 * the service arms exactly one timer at the `nextChangeMs` it is given and asks again then.
 *
 * Dialect (AWS's own is unverified; this follows EventBridge): `cron(min hour dom mon dow year)`,
 * fields separated by whitespace, each a comma list of `*`, `n` or `a-b`, each optionally
 * followed by `/step` (`n/step` runs from n to the field's maximum). Month takes JAN–DEC and
 * day-of-week SUN–SAT (1–7 = SUN–SAT), both in any case. As in EventBridge, exactly one of
 * day-of-month and day-of-week must be `?` (`*` in both is rejected), so a day is chosen by one
 * of them, never both. Year is 1970–2199. EventBridge's `L`, `W` and `#` are not supported; nor
 * are backwards ranges (`22-2`).
 */
import { err, ok, type Result } from '../../core/result.js';
import { parseScheduleTime, type SchedulingConfig } from './job-configs.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * How far nextCronTime looks, counted from the first year the year field allows. With one of
 * dom/dow `?`, anything that can match at all does so within 8 years (Feb 29 skips 2100), so
 * only impossible crons (`30 FEB`) and year lists with gaps wider than this come up empty.
 */
export const CRON_SEARCH_YEARS = 9;

// ---- cron ---------------------------------------------------------------------------------------

/** Allowed values of each field, ascending and distinct; the day is picked by dom or by dow. */
export interface Cron {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly days: { readonly by: 'day-of-month' | 'day-of-week'; readonly values: readonly number[] };
  /** 1–12. */
  readonly months: readonly number[];
  readonly years: readonly number[];
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const WEEKDAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

const FIELDS: readonly FieldSpec[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day-of-week', min: 1, max: 7, names: WEEKDAY_NAMES },
  { name: 'year', min: 1970, max: 2199 },
];

const CRON_SHAPE = 'cron(minutes hours day-of-month month day-of-week year)';

/** Parses `cron(…)`; the error names the field at fault, e.g. `hours: 24 is outside 0–23`. */
export function parseCron(expr: string): Result<Cron, string> {
  const m = /^cron\((.*)\)$/s.exec(expr.trim());
  if (!m) return err(`'${expr}' is not of the form ${CRON_SHAPE}`);
  const texts = (m[1] ?? '').trim().split(/\s+/).filter((t) => t !== '');
  if (texts.length !== FIELDS.length) return err(`expected 6 fields, ${CRON_SHAPE}, got ${texts.length}`);

  const values: (readonly number[] | undefined)[] = [];
  for (const [i, spec] of FIELDS.entries()) {
    const text = texts[i] ?? '';
    const dayField = spec.name === 'day-of-month' || spec.name === 'day-of-week';
    if (text === '?' && dayField) {
      values.push(undefined);
      continue;
    }
    if (text.includes('?')) {
      return err(dayField ? `${spec.name}: '?' must stand alone` : `${spec.name}: '?' is allowed only in day-of-month or day-of-week`);
    }
    const parsed = parseField(text, spec);
    if (!parsed.ok) return parsed;
    values.push(parsed.value);
  }

  const [minutes, hours, dom, months, dow, years] = values;
  if (minutes === undefined || hours === undefined || months === undefined || years === undefined) {
    return err(`expected 6 fields, ${CRON_SHAPE}`); // unreachable: only the day fields may be '?'
  }
  if ((dom === undefined) === (dow === undefined)) {
    return err(`day-of-month, day-of-week: exactly one of them must be '?' (got '${texts[2]}' and '${texts[4]}')`);
  }
  const days = dom !== undefined ? { by: 'day-of-month' as const, values: dom } : { by: 'day-of-week' as const, values: dow ?? [] };
  return ok({ minutes, hours, days, months, years });
}

function parseField(text: string, spec: FieldSpec): Result<readonly number[], string> {
  const found = new Set<number>();
  for (const item of text.split(',')) {
    const parsed = parseItem(item, spec);
    if (!parsed.ok) return parsed;
    for (const v of parsed.value) found.add(v);
  }
  return ok([...found].sort((a, b) => a - b));
}

/** One list item: `*`, `n`, `a-b`, each optionally `/step` (`n/step` runs to the field's maximum). */
function parseItem(item: string, spec: FieldSpec): Result<number[], string> {
  const parts = item.split('/');
  if (parts.length > 2) return err(`${spec.name}: '${item}' has more than one '/'`);
  const [range = '', stepText] = parts;

  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText) || Number(stepText) < 1) return err(`${spec.name}: step '${stepText}' in '${item}' must be a whole number ≥ 1`);
    step = Number(stepText);
  }

  let lo = spec.min;
  let hi = spec.max;
  if (range !== '*') {
    const bounds = range.split('-');
    if (bounds.length > 2) return err(`${spec.name}: '${range}' is not a value or a range a-b`);
    const from = fieldValue(bounds[0] ?? '', spec);
    if (!from.ok) return from;
    lo = from.value;
    if (bounds.length === 2) {
      const to = fieldValue(bounds[1] ?? '', spec);
      if (!to.ok) return to;
      hi = to.value;
      if (lo > hi) return err(`${spec.name}: range '${range}' runs backwards`);
    } else if (stepText === undefined) {
      hi = lo;
    }
  }

  const out: number[] = [];
  for (let v = lo; v <= hi; v += step) out.push(v);
  return ok(out);
}

function fieldValue(token: string, spec: FieldSpec): Result<number, string> {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    return n >= spec.min && n <= spec.max ? ok(n) : err(`${spec.name}: ${token} is outside ${spec.min}–${spec.max}`);
  }
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return ok(spec.min + named);
  const names = spec.names ? ` or a name ${spec.names[0]}–${spec.names[spec.names.length - 1]}` : '';
  return err(`${spec.name}: '${token}' is not a number ${spec.min}–${spec.max}${names}`);
}

/** Whether the minute holding `ms` (UTC) matches. */
export function cronMatches(cron: Cron, ms: number): boolean {
  const d = new Date(ms);
  return (
    has(cron.years, d.getUTCFullYear()) &&
    has(cron.months, d.getUTCMonth() + 1) &&
    dayMatches(cron, d) &&
    has(cron.hours, d.getUTCHours()) &&
    has(cron.minutes, d.getUTCMinutes())
  );
}

const dayMatches = (cron: Cron, d: Date): boolean => has(cron.days.values, cron.days.by === 'day-of-month' ? d.getUTCDate() : d.getUTCDay() + 1);

/** The first of the ascending `sorted` that is ≥ v (binary search: years hold up to 230 values). */
function atLeast(sorted: readonly number[], v: number): number | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? Infinity) < v) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo];
}

const has = (sorted: readonly number[], v: number): boolean => atLeast(sorted, v) === v;

/**
 * The first matching minute strictly after `afterMs` (epoch ms of its start), or undefined when
 * none comes within CRON_SEARCH_YEARS. Walks whole years, months and days that cannot match, so
 * a search costs at most a few hundred steps.
 */
export function nextCronTime(cron: Cron, afterMs: number): number | undefined {
  if (!Number.isFinite(afterMs)) return undefined;
  let t = Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const firstYear = atLeast(cron.years, new Date(t).getUTCFullYear());
  if (firstYear === undefined) return undefined;
  const limit = Math.max(t, Date.UTC(firstYear, 0, 1)) + CRON_SEARCH_YEARS * 366 * DAY_MS;

  while (t < limit) {
    const d = new Date(t);
    const year = d.getUTCFullYear();
    const month = d.getUTCMonth(); // 0-based, as Date.UTC takes it
    const day = d.getUTCDate();
    if (!has(cron.years, year)) {
      const next = atLeast(cron.years, year + 1);
      if (next === undefined) return undefined;
      t = Date.UTC(next, 0, 1);
    } else if (!has(cron.months, month + 1)) {
      t = Date.UTC(year, month + 1, 1);
    } else {
      const minuteOfDay = dayMatches(cron, d) ? firstTimeOfDay(cron, d.getUTCHours(), d.getUTCMinutes()) : undefined;
      if (minuteOfDay !== undefined) return Date.UTC(year, month, day) + minuteOfDay * MINUTE_MS;
      t = Date.UTC(year, month, day + 1);
    }
  }
  return undefined;
}

/** Minutes since midnight of the first matching time of day at or after hour:minute. */
function firstTimeOfDay(cron: Cron, hour: number, minute: number): number | undefined {
  for (const h of cron.hours) {
    if (h < hour) continue;
    const m = h === hour ? atLeast(cron.minutes, minute) : cron.minutes[0];
    if (m !== undefined) return h * 60 + m;
  }
  return undefined;
}

// ---- maintenance windows ------------------------------------------------------------------------

/** `{startTime: 'cron(…)', durationInMinutes}`: a window opened at a cron match T is open for [T, T+duration). */
export type MaintenanceWindow = NonNullable<SchedulingConfig['maintenanceWindows']>[number];

interface CompiledWindow {
  cron: Cron;
  durationMs: number;
}

/** For CreateJob: every window's cron must parse; the message names the window. */
export function checkMaintenanceWindows(windows: readonly MaintenanceWindow[]): Result<void, string> {
  for (const [i, w] of windows.entries()) {
    const parsed = parseCron(w.startTime);
    if (!parsed.ok) return err(`schedulingConfig.maintenanceWindows[${i}].startTime ${w.startTime}: ${parsed.error}`);
  }
  return ok(undefined);
}

/** Windows whose cron does not parse never open (CreateJob rejects them; see checkMaintenanceWindows). */
function compile(windows: readonly MaintenanceWindow[]): CompiledWindow[] {
  const out: CompiledWindow[] = [];
  for (const w of windows) {
    const parsed = parseCron(w.startTime);
    if (parsed.ok && w.durationInMinutes > 0) out.push({ cron: parsed.value, durationMs: w.durationInMinutes * MINUTE_MS });
  }
  return out;
}

/** Open iff some match T lies in (t − duration, t]: the first match after t − duration is at most t. */
function isOpen(windows: readonly CompiledWindow[], t: number): boolean {
  return windows.some((w) => {
    const opened = nextCronTime(w.cron, t - w.durationMs);
    return opened !== undefined && opened <= t;
  });
}

/** The first instant after t at which any single window opens or closes. */
function nextEdge(windows: readonly CompiledWindow[], t: number): number | undefined {
  let best: number | undefined;
  for (const w of windows) {
    const opens = nextCronTime(w.cron, t);
    // The earliest close after t belongs to the earliest opening after t − duration.
    const opened = nextCronTime(w.cron, t - w.durationMs);
    const closes = opened === undefined ? undefined : opened + w.durationMs;
    for (const e of [opens, closes]) if (e !== undefined && (best === undefined || e < best)) best = e;
  }
  return best;
}

/** Whether `nowMs` lies inside any window (start inclusive, end exclusive), windows opened before now included. */
export function windowsAt(windows: readonly MaintenanceWindow[], nowMs: number): boolean {
  return isOpen(compile(windows), nowMs);
}

/**
 * Window edges visited before nextWindowChange gives up; only unions that stay open through
 * this many edges (`cron(* * ? * * *)` lasting a minute) reach it.
 */
export const WINDOW_EDGE_WALK_MAX = 2000;

/**
 * The next instant after `nowMs` at which being inside some window turns into being inside none
 * or back: edges of overlapping or touching windows that leave the union unchanged are walked
 * past. Undefined when no window opens or closes again. When the walk reaches
 * WINDOW_EDGE_WALK_MAX it returns the last edge seen, where the caller simply asks again.
 */
export function nextWindowChange(windows: readonly MaintenanceWindow[], nowMs: number): number | undefined {
  const compiled = compile(windows);
  const openNow = isOpen(compiled, nowMs);
  let t = nowMs;
  for (let step = 0; step < WINDOW_EDGE_WALK_MAX; step++) {
    const edge = nextEdge(compiled, t);
    if (edge === undefined) return undefined;
    if (isOpen(compiled, edge) !== openNow) return edge;
    t = edge;
  }
  return t;
}

/** A window start as DescribeJob shows it in `scheduledJobRollouts` (spec §3.4). */
export interface ScheduledJobRollout {
  startTime: string;
}

/**
 * The next `count` window starts at or after `nowMs` (a window opening this very millisecond is
 * listed), across all windows, ascending, one entry per instant even when windows share it.
 */
export function scheduledJobRollouts(windows: readonly MaintenanceWindow[], nowMs: number, count = 7): ScheduledJobRollout[] {
  const compiled = compile(windows);
  const cursors = compiled.map((w) => nextCronTime(w.cron, nowMs - 1));
  const out: ScheduledJobRollout[] = [];
  while (out.length < count) {
    let soonest: number | undefined;
    for (const c of cursors) if (c !== undefined && (soonest === undefined || c < soonest)) soonest = c;
    if (soonest === undefined) break;
    out.push({ startTime: formatScheduleTime(soonest) });
    for (const [i, c] of cursors.entries()) {
      const w = compiled[i];
      if (c === soonest && w) cursors[i] = nextCronTime(w.cron, c);
    }
  }
  return out;
}

/** `YYYY-MM-DDTHH:MM` UTC, the inverse of parseScheduleTime for minute-aligned instants. */
export const formatScheduleTime = (ms: number): string => new Date(ms).toISOString().slice(0, 16);

// ---- the gate -----------------------------------------------------------------------------------

/**
 * `before-start`: startTime not reached (the job is SCHEDULED); `open`: executions may be
 * released; `closed-window`: between maintenance windows; `ended`: endTime reached, see
 * endBehaviorAt.
 */
export type RolloutPhase = 'before-start' | 'open' | 'closed-window' | 'ended';

export interface RolloutGate {
  phase: RolloutPhase;
  /** When the phase may next change (arm a timer for it and ask again); absent when never. */
  nextChangeMs?: number;
}

/**
 * Where a job's schedule stands at `nowMs`. Start and end times are validated at CreateJob
 * (checkSchedule); one that does not parse here counts as absent. A non-empty window list whose
 * crons all fail to parse never opens: rolling out outside the windows asked for is the worse error.
 */
export function rolloutGate(config: SchedulingConfig | undefined, nowMs: number): RolloutGate {
  const startMs = config?.startTime === undefined ? undefined : parseScheduleTime(config.startTime);
  const endMs = config?.endTime === undefined ? undefined : parseScheduleTime(config.endTime);
  if (endMs !== undefined && nowMs >= endMs) return { phase: 'ended' };
  if (startMs !== undefined && nowMs < startMs) return gate('before-start', earliest(startMs, endMs));

  const windows = config?.maintenanceWindows ?? [];
  if (windows.length === 0) return gate('open', endMs);
  const phase = windowsAt(windows, nowMs) ? 'open' : 'closed-window';
  return gate(phase, earliest(nextWindowChange(windows, nowMs), endMs));
}

/**
 * What happens to the job at `nowMs` because of its endTime: undefined before endTime or without
 * one. With endTime set but no endBehavior the default is STOP_ROLLOUT (no new executions,
 * existing ones continue), the least destructive choice; AWS's default is unverified.
 */
export function endBehaviorAt(config: SchedulingConfig | undefined, nowMs: number): 'STOP_ROLLOUT' | 'CANCEL' | 'FORCE_CANCEL' | undefined {
  const endMs = config?.endTime === undefined ? undefined : parseScheduleTime(config.endTime);
  if (endMs === undefined || nowMs < endMs) return undefined;
  return config?.endBehavior ?? 'STOP_ROLLOUT';
}

const gate = (phase: RolloutPhase, nextChangeMs: number | undefined): RolloutGate =>
  nextChangeMs === undefined ? { phase } : { phase, nextChangeMs };

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
