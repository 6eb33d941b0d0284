import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseScheduleTime } from '../../src/cloud/jobs/job-configs.js';
import {
  checkMaintenanceWindows,
  cronMatches,
  endBehaviorAt,
  formatScheduleTime,
  nextCronTime,
  nextWindowChange,
  parseCron,
  rolloutGate,
  scheduledJobRollouts,
  windowsAt,
  WINDOW_EDGE_WALK_MAX,
  type Cron,
  type MaintenanceWindow,
} from '../../src/cloud/jobs/schedule.js';

const MIN = 60_000;

/** Epoch ms of a `YYYY-MM-DDTHH:MM` UTC time. */
function at(s: string): number {
  const ms = parseScheduleTime(s);
  if (ms === undefined) throw new Error(`bad time ${s}`);
  return ms;
}

function cron(expr: string): Cron {
  const r = parseCron(expr);
  if (!r.ok) throw new Error(`${expr}: ${r.error}`);
  return r.value;
}

const next = (expr: string, after: number): string | undefined => {
  const t = nextCronTime(cron(expr), after);
  return t === undefined ? undefined : formatScheduleTime(t);
};

const range = (lo: number, hi: number, step = 1): number[] => {
  const out: number[] = [];
  for (let v = lo; v <= hi; v += step) out.push(v);
  return out;
};

describe('parseCron', () => {
  const ALL_MONTHS = range(1, 12);
  const ALL_YEARS = range(1970, 2199);

  it.each<[string, Cron]>([
    ['cron(0 22 ? * SUN *)', { minutes: [0], hours: [22], days: { by: 'day-of-week', values: [1] }, months: ALL_MONTHS, years: ALL_YEARS }],
    ['cron(*/15 9-17 ? * MON-FRI *)', { minutes: [0, 15, 30, 45], hours: range(9, 17), days: { by: 'day-of-week', values: range(2, 6) }, months: ALL_MONTHS, years: ALL_YEARS }],
    ['cron(0 0 1 JAN,JUL ? 2027)', { minutes: [0], hours: [0], days: { by: 'day-of-month', values: [1] }, months: [1, 7], years: [2027] }],
    ['cron(0/20 0-23/6 ? * 1,7 2026-2028)', { minutes: [0, 20, 40], hours: [0, 6, 12, 18], days: { by: 'day-of-week', values: [1, 7] }, months: ALL_MONTHS, years: range(2026, 2028) }],
    ['cron(5 4 * jan-Mar ? */50)', { minutes: [5], hours: [4], days: { by: 'day-of-month', values: range(1, 31) }, months: [1, 2, 3], years: [1970, 2020, 2070, 2120, 2170] }],
    ['cron(  7,3,7  1 ? DEC sat-sat/1,TUE 2199 )', { minutes: [3, 7], hours: [1], days: { by: 'day-of-week', values: [3, 7] }, months: [12], years: [2199] }],
    ['cron(59 23 31 12 ? 1970)', { minutes: [59], hours: [23], days: { by: 'day-of-month', values: [31] }, months: [12], years: [1970] }],
  ])('accepts %s', (expr, expected) => {
    expect(parseCron(expr)).toEqual({ ok: true, value: expected });
  });

  it.each<[string, string]>([
    ['0 22 ? * SUN *', 'is not of the form cron('],
    ['rate(5 minutes)', 'is not of the form cron('],
    ['cron(0 22 ? * SUN)', 'expected 6 fields'],
    ['cron(0 22 ? * SUN * *)', 'expected 6 fields'],
    ['cron(60 * ? * * *)', 'minutes: 60 is outside 0–59'],
    ['cron(-1 * ? * * *)', "minutes: '' is not a number 0–59"],
    ['cron(1,,2 * ? * * *)', "minutes: '' is not a number"],
    ['cron(1-2-3 * ? * * *)', "minutes: '1-2-3' is not a value or a range"],
    ['cron(1/2/3 * ? * * *)', "minutes: '1/2/3' has more than one '/'"],
    ['cron(*/0 * ? * * *)', "minutes: step '0' in '*/0' must be a whole number"],
    ['cron(? 0 1 * ? *)', "minutes: '?' is allowed only in day-of-month or day-of-week"],
    ['cron(0 24 ? * * *)', 'hours: 24 is outside 0–23'],
    ['cron(0 22-2 ? * * *)', "hours: range '22-2' runs backwards"],
    ['cron(0 0 0 * ? *)', 'day-of-month: 0 is outside 1–31'],
    ['cron(0 0 32 * ? *)', 'day-of-month: 32 is outside 1–31'],
    ['cron(0 0 L * ? *)', "day-of-month: 'L' is not a number 1–31"],
    ['cron(0 0 15W * ? *)', "day-of-month: '15W' is not a number"],
    ['cron(0 0 1,? * ? *)', "day-of-month: '?' must stand alone"],
    ['cron(0 0 ? 13 * *)', 'month: 13 is outside 1–12'],
    ['cron(0 0 ? FOO * *)', "month: 'FOO' is not a number 1–12 or a name JAN–DEC"],
    ['cron(0 0 ? * 0 *)', 'day-of-week: 0 is outside 1–7'],
    ['cron(0 0 ? * FUN *)', "day-of-week: 'FUN' is not a number 1–7 or a name SUN–SAT"],
    ['cron(0 0 ? * 6#3 *)', "day-of-week: '6#3' is not a number"],
    ['cron(0 0 ? * 6L *)', "day-of-week: '6L' is not a number"],
    ['cron(0 0 ? * SAT-MON *)', "day-of-week: range 'SAT-MON' runs backwards"],
    ['cron(0 0 * * * *)', "day-of-month, day-of-week: exactly one of them must be '?' (got '*' and '*')"],
    ['cron(0 0 ? * ? *)', 'exactly one of them must be'],
    ['cron(0 0 1 * MON *)', 'exactly one of them must be'],
    ['cron(0 0 ? * * 1969)', 'year: 1969 is outside 1970–2199'],
    ['cron(0 0 ? * * 2200)', 'year: 2200 is outside 1970–2199'],
    ['cron(0 0 ? * * 20x6)', "year: '20x6' is not a number 1970–2199"],
  ])('rejects %s', (expr, message) => {
    const r = parseCron(expr);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(message);
  });
});

describe('nextCronTime', () => {
  it('is strictly after, at minute precision', () => {
    const t = at('2026-01-01T10:00');
    expect(nextCronTime(cron('cron(* * ? * * *)'), t)).toBe(t + MIN);
    expect(nextCronTime(cron('cron(* * ? * * *)'), t + 30_000)).toBe(t + MIN);
    expect(nextCronTime(cron('cron(* * ? * * *)'), t - 1)).toBe(t);
  });

  it.each<[string, string, string | undefined]>([
    ['cron(0 22 ? * SUN *)', '2026-01-01T00:00', '2026-01-04T22:00'],
    ['cron(0 22 ? * SUN *)', '2026-01-04T22:00', '2026-01-11T22:00'],
    ['cron(0 9 ? * MON *)', '2026-01-31T12:00', '2026-02-02T09:00'],
    ['cron(*/15 9-17 ? * MON-FRI *)', '2026-01-02T17:45', '2026-01-05T09:00'],
    ['cron(*/15 9-17 ? * MON-FRI *)', '2026-01-05T09:07', '2026-01-05T09:15'],
    // month boundaries: the 31st skips 30-day months
    ['cron(0 0 31 * ? *)', '2026-04-15T00:00', '2026-05-31T00:00'],
    ['cron(0 0 31 * ? *)', '2026-05-31T00:00', '2026-07-31T00:00'],
    ['cron(0 0 1 * ? *)', '2026-01-31T23:59', '2026-02-01T00:00'],
    // year boundaries
    ['cron(30 23 31 DEC ? *)', '2026-12-31T23:30', '2027-12-31T23:30'],
    ['cron(0 0 1 JAN ? *)', '2026-12-31T23:59', '2027-01-01T00:00'],
    ['cron(0 0 1 JAN,JUL ? 2027)', '2026-05-01T00:00', '2027-01-01T00:00'],
    ['cron(0 0 1 JAN,JUL ? 2027)', '2027-01-01T00:00', '2027-07-01T00:00'],
    ['cron(0 0 1 JAN,JUL ? 2027)', '2027-07-01T00:00', undefined],
    // leap day, including the century that skips it
    ['cron(0 12 29 FEB ? *)', '2026-01-01T00:00', '2028-02-29T12:00'],
    ['cron(0 12 29 FEB ? *)', '2028-02-29T12:00', '2032-02-29T12:00'],
    ['cron(0 12 29 FEB ? *)', '2096-03-01T00:00', '2104-02-29T12:00'],
    ['cron(0 0 ? FEB * *)', '2028-02-28T00:00', '2028-02-29T00:00'],
    ['cron(0 0 ? FEB * *)', '2027-02-28T00:00', '2028-02-01T00:00'],
    // a far year is found: the search horizon counts from the first year allowed
    ['cron(0 0 1 JAN ? 2150)', '2026-06-01T00:00', '2150-01-01T00:00'],
    // impossible dates and ended years find nothing
    ['cron(0 0 30 FEB ? *)', '2026-01-01T00:00', undefined],
    ['cron(0 0 31 APR,JUN ? *)', '2026-01-01T00:00', undefined],
    ['cron(0 0 1 JAN ? 2020)', '2026-01-01T00:00', undefined],
  ])('%s after %s → %s', (expr, after, expected) => {
    expect(next(expr, at(after))).toBe(expected);
  });

  it('cronMatches agrees on the minute', () => {
    const c = cron('cron(*/15 9-17 ? * MON-FRI *)');
    expect(cronMatches(c, at('2026-01-05T09:15') + 59_999)).toBe(true);
    expect(cronMatches(c, at('2026-01-05T09:16'))).toBe(false);
    expect(cronMatches(c, at('2026-01-04T09:15'))).toBe(false); // Sunday
  });

  // Each field is generated with its own value set, so the oracle below does not share parseCron's logic.
  type Field = { text: string; values: number[] };
  const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
  const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
  const fieldArb = (min: number, max: number, names?: readonly string[]): fc.Arbitrary<Field> => {
    const show = (v: number, named: boolean) => (named && names ? (names[v - min] ?? String(v)) : String(v));
    const value = fc.integer({ min, max });
    const bounds = fc.tuple(value, value).map(([a, b]): [number, number] => (a <= b ? [a, b] : [b, a]));
    const step = fc.integer({ min: 1, max: 10 });
    const item: fc.Arbitrary<Field> = fc.oneof(
      fc.tuple(value, fc.boolean()).map(([v, named]) => ({ text: show(v, named), values: [v] })),
      fc.tuple(bounds, fc.boolean()).map(([[lo, hi], named]) => ({ text: `${show(lo, named)}-${show(hi, named)}`, values: range(lo, hi) })),
      fc.integer({ min: 1, max: max - min + 1 }).map((s) => ({ text: `*/${s}`, values: range(min, max, s) })),
      fc.tuple(value, step).map(([a, s]) => ({ text: `${a}/${s}`, values: range(a, max, s) })),
      fc.tuple(bounds, step).map(([[lo, hi], s]) => ({ text: `${lo}-${hi}/${s}`, values: range(lo, hi, s) })),
    );
    const list = fc.array(item, { minLength: 1, maxLength: 3 }).map((items) => ({ text: items.map((i) => i.text).join(','), values: [...new Set(items.flatMap((i) => i.values))] }));
    return fc.oneof({ arbitrary: fc.constant({ text: '*', values: range(min, max) }), weight: 1 }, { arbitrary: list, weight: 3 });
  };
  const cronArb = fc
    .record({
      minutes: fieldArb(0, 59),
      hours: fieldArb(0, 23),
      byDom: fc.boolean(),
      dom: fieldArb(1, 31),
      months: fc.oneof({ arbitrary: fc.constant({ text: '*', values: range(1, 12) }), weight: 3 }, { arbitrary: fieldArb(1, 12, MONTHS), weight: 1 }),
      dow: fieldArb(1, 7, WEEKDAYS),
    })
    .map((f) => {
      const expr = `cron(${f.minutes.text} ${f.hours.text} ${f.byDom ? f.dom.text : '?'} ${f.months.text} ${f.byDom ? '?' : f.dow.text} *)`;
      const matches = (ms: number): boolean => {
        const d = new Date(ms);
        const day = f.byDom ? f.dom.values.includes(d.getUTCDate()) : f.dow.values.includes(d.getUTCDay() + 1);
        return day && f.months.values.includes(d.getUTCMonth() + 1) && f.hours.values.includes(d.getUTCHours()) && f.minutes.values.includes(d.getUTCMinutes());
      };
      return { expr, matches };
    });
  const timeArb = fc.oneof(
    fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2030, 0, 1) }),
    fc.integer({ min: Date.UTC(2026, 0, 1) / MIN, max: Date.UTC(2030, 0, 1) / MIN }).map((m) => m * MIN),
  );
  const BRUTE_MINUTES = 3 * 24 * 60;

  it('finds the first matching minute after t (brute force over three days)', () => {
    fc.assert(
      fc.property(cronArb, timeArb, ({ expr, matches }, t) => {
        const c = cron(expr);
        const n = nextCronTime(c, t);
        const first = Math.floor(t / MIN) * MIN + MIN;
        const end = Math.min(n ?? Infinity, first + BRUTE_MINUTES * MIN);
        for (let m = first; m < end; m += MIN) if (matches(m)) return false;
        if (n === undefined) return true;
        return n > t && n % MIN === 0 && matches(n) && cronMatches(c, n) && nextCronTime(c, n - 1) === n;
      }),
      { numRuns: 300 },
    );
  });
});

describe('maintenance windows', () => {
  const sunday2h: MaintenanceWindow[] = [{ startTime: 'cron(0 22 ? * SUN *)', durationInMinutes: 120 }];

  it('are open from the start (inclusive) to the end (exclusive)', () => {
    expect(windowsAt(sunday2h, at('2026-01-04T22:00') - 1)).toBe(false);
    expect(windowsAt(sunday2h, at('2026-01-04T22:00'))).toBe(true);
    expect(windowsAt(sunday2h, at('2026-01-05T00:00') - 1)).toBe(true);
    expect(windowsAt(sunday2h, at('2026-01-05T00:00'))).toBe(false);
    expect(nextWindowChange(sunday2h, at('2026-01-04T22:00') - 1)).toBe(at('2026-01-04T22:00'));
    expect(nextWindowChange(sunday2h, at('2026-01-04T22:00'))).toBe(at('2026-01-05T00:00'));
    expect(nextWindowChange(sunday2h, at('2026-01-05T00:00'))).toBe(at('2026-01-11T22:00'));
  });

  it('count a window opened before now (look-back up to its duration)', () => {
    const long: MaintenanceWindow[] = [{ startTime: 'cron(0 22 ? * SUN *)', durationInMinutes: 1430 }];
    expect(windowsAt(long, at('2026-01-05T00:30'))).toBe(true);
    expect(nextWindowChange(long, at('2026-01-05T00:30'))).toBe(at('2026-01-05T21:50'));
    expect(windowsAt(long, at('2026-01-05T21:50') - 1)).toBe(true);
    expect(windowsAt(long, at('2026-01-05T21:50'))).toBe(false);
  });

  it('merge when they overlap', () => {
    const overlapping: MaintenanceWindow[] = [
      { startTime: 'cron(0 10 ? * * *)', durationInMinutes: 120 },
      { startTime: 'cron(0 11 ? * * *)', durationInMinutes: 120 },
    ];
    expect(nextWindowChange(overlapping, at('2026-03-02T09:00'))).toBe(at('2026-03-02T10:00'));
    expect(nextWindowChange(overlapping, at('2026-03-02T10:00'))).toBe(at('2026-03-02T13:00'));
    expect(windowsAt(overlapping, at('2026-03-02T12:30'))).toBe(true);
    expect(windowsAt(overlapping, at('2026-03-02T13:00'))).toBe(false);
  });

  it('change state at the walked instants through a working day, touching windows merged', () => {
    const windows: MaintenanceWindow[] = [
      { startTime: 'cron(*/15 9-17 ? * MON-FRI *)', durationInMinutes: 5 },
      { startTime: 'cron(0 12 ? * MON-FRI *)', durationInMinutes: 90 },
    ];
    const dayStart = at('2026-01-05T00:00'); // a Monday
    const dayEnd = dayStart + 24 * 60 * MIN;
    const walked: number[] = [];
    let t = nextWindowChange(windows, dayStart);
    while (t !== undefined && t < dayEnd && walked.length < 200) {
      walked.push(t);
      const after: number | undefined = nextWindowChange(windows, t);
      t = after !== undefined && after <= t ? undefined : after; // no progress: let the comparison below fail
    }

    const brute: number[] = [];
    for (let m = dayStart + MIN; m < dayEnd; m += MIN) if (windowsAt(windows, m) !== windowsAt(windows, m - MIN)) brute.push(m);
    expect(walked).toEqual(brute);
    // 36 five-minute windows; the seven from 12:00 to 13:30 merge into the 90-minute one
    expect(walked).toHaveLength(60);
    const shown = walked.map(formatScheduleTime);
    expect(shown.slice(0, 3)).toEqual(['2026-01-05T09:00', '2026-01-05T09:05', '2026-01-05T09:15']);
    expect(shown).toContain('2026-01-05T12:00');
    expect(shown).toContain('2026-01-05T13:35'); // 13:30 opens as the long window closes: no change then
    expect(shown).not.toContain('2026-01-05T13:30');
    expect(shown.slice(-2)).toEqual(['2026-01-05T17:45', '2026-01-05T17:50']);
    expect(nextWindowChange(windows, at('2026-01-05T17:50'))).toBe(at('2026-01-06T09:00'));
  });

  it('a union that never closes stops the walk at an edge where the caller asks again', () => {
    const always: MaintenanceWindow[] = [{ startTime: 'cron(* * ? * * *)', durationInMinutes: 1 }];
    const t = at('2026-01-05T00:00') + 123;
    const stop = nextWindowChange(always, t);
    expect(stop).toBeGreaterThan(t);
    expect(stop).toBeLessThanOrEqual(t + (WINDOW_EDGE_WALK_MAX + 1) * MIN);
    expect(windowsAt(always, stop ?? 0)).toBe(true);
  });

  it('with none, or none left, never open', () => {
    const ended: MaintenanceWindow[] = [{ startTime: 'cron(0 0 1 JAN ? 2020)', durationInMinutes: 60 }];
    for (const w of [[], ended]) {
      expect(windowsAt(w, at('2026-01-01T00:30'))).toBe(false);
      expect(nextWindowChange(w, at('2026-01-01T00:30'))).toBeUndefined();
      expect(scheduledJobRollouts(w, at('2026-01-01T00:30'))).toEqual([]);
    }
  });

  it('agree with a brute-force minute map, and nothing changes before nextWindowChange', () => {
    const windowArb = fc.record({
      startTime: fc.constantFrom('cron(0 22 ? * SUN *)', 'cron(*/15 9-17 ? * MON-FRI *)', 'cron(30 */6 ? * * *)', 'cron(0 0 1,15 * ? *)', 'cron(45 23 ? * SAT *)'),
      durationInMinutes: fc.integer({ min: 1, max: 1430 }),
    });
    const LOOK_BACK = 1430;
    const AHEAD = 2 * 24 * 60;
    fc.assert(
      fc.property(fc.array(windowArb, { minLength: 1, maxLength: 3 }), fc.integer({ min: at('2026-01-01T00:00'), max: at('2026-12-31T00:00') }), (windows, t) => {
        // open[i]: the minute starting at t's minute + i lies in [T, T + duration) for some match T
        const base = Math.floor(t / MIN) * MIN;
        const open = new Array<boolean>(AHEAD + 1).fill(false);
        for (const w of windows) {
          const c = cron(w.startTime);
          for (let j = -LOOK_BACK; j <= AHEAD; j++) {
            if (!cronMatches(c, base + j * MIN)) continue;
            for (let i = Math.max(0, j); i < Math.min(AHEAD + 1, j + w.durationInMinutes); i++) open[i] = true;
          }
        }
        const openNow = open[0] ?? false;
        if (windowsAt(windows, t) !== openNow) return false;
        const change = nextWindowChange(windows, t);
        if (change === undefined || change <= t || change % MIN !== 0) return false;
        const changeIndex = (change - base) / MIN;
        for (let i = 1; i < Math.min(changeIndex, AHEAD + 1); i++) if (open[i] !== openNow) return false;
        if (changeIndex <= AHEAD) return open[changeIndex] !== openNow && windowsAt(windows, change) !== openNow;
        // beyond the map: a real flip, or the walk gave up on windows covering all time (each edge a minute on at least)
        return windowsAt(windows, change) !== openNow || change - t >= (WINDOW_EDGE_WALK_MAX - 1) * MIN;
      }),
      { numRuns: 100 },
    );
  });

  it('checkMaintenanceWindows names the bad window', () => {
    expect(checkMaintenanceWindows(sunday2h).ok).toBe(true);
    expect(checkMaintenanceWindows([...sunday2h, { startTime: 'cron(0 25 ? * * *)', durationInMinutes: 5 }])).toEqual({
      ok: false,
      error: 'schedulingConfig.maintenanceWindows[1].startTime cron(0 25 ? * * *): hours: 25 is outside 0–23',
    });
  });
});

describe('scheduledJobRollouts', () => {
  it('lists the next 7 starts', () => {
    expect(scheduledJobRollouts([{ startTime: 'cron(0 22 ? * SUN *)', durationInMinutes: 120 }], at('2026-01-01T00:00'))).toEqual(
      ['2026-01-04', '2026-01-11', '2026-01-18', '2026-01-25', '2026-02-01', '2026-02-08', '2026-02-15'].map((d) => ({ startTime: `${d}T22:00` })),
    );
  });

  it('merges windows, lists a shared start once, includes one starting now, and honours count', () => {
    const windows: MaintenanceWindow[] = [
      { startTime: 'cron(0 0 1 * ? *)', durationInMinutes: 60 },
      { startTime: 'cron(0 0 ? * SUN *)', durationInMinutes: 30 },
    ];
    // 2026-02-01 and 2026-03-01 are Sundays: listed once each
    const days = ['02-01', '02-08', '02-15', '02-22', '03-01', '03-08', '03-15'];
    expect(scheduledJobRollouts(windows, at('2026-02-01T00:00')).map((r) => r.startTime)).toEqual(days.map((d) => `2026-${d}T00:00`));
    expect(scheduledJobRollouts(windows, at('2026-02-01T00:00') + 1, 2).map((r) => r.startTime)).toEqual(['2026-02-08T00:00', '2026-02-15T00:00']);
  });
});

describe('rolloutGate and endBehaviorAt', () => {
  it('is open without a schedule', () => {
    expect(rolloutGate(undefined, at('2026-01-01T00:00'))).toEqual({ phase: 'open' });
    expect(rolloutGate({}, at('2026-01-01T00:00'))).toEqual({ phase: 'open' });
    expect(rolloutGate({ maintenanceWindows: [] }, at('2026-01-01T00:00'))).toEqual({ phase: 'open' });
  });

  it('waits for startTime and ends at endTime', () => {
    const s = { startTime: '2026-03-01T10:00', endTime: '2026-03-02T10:00' };
    expect(rolloutGate(s, at('2026-03-01T09:59'))).toEqual({ phase: 'before-start', nextChangeMs: at('2026-03-01T10:00') });
    expect(rolloutGate(s, at('2026-03-01T10:00'))).toEqual({ phase: 'open', nextChangeMs: at('2026-03-02T10:00') });
    expect(rolloutGate(s, at('2026-03-02T10:00') - 1)).toEqual({ phase: 'open', nextChangeMs: at('2026-03-02T10:00') });
    expect(rolloutGate(s, at('2026-03-02T10:00'))).toEqual({ phase: 'ended' });
    expect(rolloutGate({ startTime: '2026-03-01T10:00' }, at('2026-03-01T10:00'))).toEqual({ phase: 'open' });
  });

  it('follows the windows between start and end', () => {
    const s = { startTime: '2026-01-04T12:00', endTime: '2026-01-19T23:30', maintenanceWindows: [{ startTime: 'cron(0 22 ? * SUN *)', durationInMinutes: 120 }] };
    expect(rolloutGate(s, at('2026-01-04T11:00'))).toEqual({ phase: 'before-start', nextChangeMs: at('2026-01-04T12:00') });
    expect(rolloutGate(s, at('2026-01-04T12:00'))).toEqual({ phase: 'closed-window', nextChangeMs: at('2026-01-04T22:00') });
    expect(rolloutGate(s, at('2026-01-04T22:30'))).toEqual({ phase: 'open', nextChangeMs: at('2026-01-05T00:00') });
    expect(rolloutGate(s, at('2026-01-18T23:00'))).toEqual({ phase: 'open', nextChangeMs: at('2026-01-19T00:00') });
    // the next window (Jan 25) is after endTime
    expect(rolloutGate(s, at('2026-01-19T00:00'))).toEqual({ phase: 'closed-window', nextChangeMs: at('2026-01-19T23:30') });
    expect(rolloutGate(s, at('2026-01-19T23:30'))).toEqual({ phase: 'ended' });
    // a window already open when the job starts
    expect(rolloutGate({ ...s, startTime: '2026-01-04T23:00' }, at('2026-01-04T23:00'))).toEqual({ phase: 'open', nextChangeMs: at('2026-01-05T00:00') });
  });

  it('never opens when every window is unusable', () => {
    const bad = { maintenanceWindows: [{ startTime: 'cron(0 25 ? * * *)', durationInMinutes: 60 }] };
    expect(rolloutGate(bad, at('2026-01-01T00:00'))).toEqual({ phase: 'closed-window' });
    expect(rolloutGate({ ...bad, endTime: '2026-01-02T00:00' }, at('2026-01-01T00:00'))).toEqual({ phase: 'closed-window', nextChangeMs: at('2026-01-02T00:00') });
  });

  it('endBehaviorAt applies from endTime, STOP_ROLLOUT by default', () => {
    const end = at('2026-03-02T10:00');
    expect(endBehaviorAt(undefined, end)).toBeUndefined();
    expect(endBehaviorAt({ endBehavior: 'CANCEL' }, end)).toBeUndefined();
    expect(endBehaviorAt({ endTime: '2026-03-02T10:00', endBehavior: 'CANCEL' }, end - 1)).toBeUndefined();
    expect(endBehaviorAt({ endTime: '2026-03-02T10:00' }, end)).toBe('STOP_ROLLOUT');
    expect(endBehaviorAt({ endTime: '2026-03-02T10:00', endBehavior: 'CANCEL' }, end)).toBe('CANCEL');
    expect(endBehaviorAt({ endTime: '2026-03-02T10:00', endBehavior: 'FORCE_CANCEL' }, end + 1)).toBe('FORCE_CANCEL');
  });

  it('formatScheduleTime inverts parseScheduleTime', () => {
    for (const s of ['2026-01-04T22:00', '2028-02-29T23:59', '2199-12-31T00:00']) expect(formatScheduleTime(at(s))).toBe(s);
  });
});
