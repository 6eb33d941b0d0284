import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { abortCriterionMet, abortReason, type AbortTally } from '../../src/cloud/jobs/abort.js';
import type { AbortConfig, JobExecutionsRolloutConfig } from '../../src/cloud/jobs/job-configs.js';
import { currentRate, planRelease, resumeSegment, type RolloutSegment } from '../../src/cloud/jobs/rollout.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 23, 12);

/**
 * Drives a rollout the way the service will: plan at creation, then again at every `nextAtMs`
 * (and at every success time given), releasing what each plan says. Returns the release times.
 */
function simulate(config: JobExecutionsRolloutConfig | undefined, targets: number, opts: { succeedAfterMs?: number; untilMs?: number } = {}): number[] {
  const releases: number[] = [];
  let segment: RolloutSegment | undefined;
  let now = T0;
  const until = opts.untilMs ?? T0 + 100 * 24 * 60 * MIN;
  for (let guard = 0; guard < 1_000_000 && now <= until; guard++) {
    const succeeded = opts.succeedAfterMs === undefined ? 0 : releases.filter((r) => r + opts.succeedAfterMs! <= now).length;
    const plan = planRelease(config, segment, { notified: releases.length, succeeded }, targets - releases.length, now);
    segment = plan.segment;
    for (let i = 0; i < plan.release; i++) releases.push(now);
    if (releases.length >= targets) break;
    let next = plan.nextAtMs ?? Infinity;
    // Successes can raise an exponential rate before the planned release: look again then.
    if (opts.succeedAfterMs !== undefined) {
      const pendingSuccess = releases.map((r) => r + opts.succeedAfterMs!).filter((t) => t > now);
      if (pendingSuccess.length > 0) next = Math.min(next, Math.min(...pendingSuccess));
    }
    if (next === Infinity) break;
    now = next;
  }
  return releases;
}

/** The most releases in any window of one minute. */
function busiestMinute(times: number[]): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[j] as number) >= MIN) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('rollout rates (spec §4.1)', () => {
  it('releases everything at once without a rollout config', () => {
    expect(simulate(undefined, 10_000)).toEqual(Array.from({ length: 10_000 }, () => T0));
  });

  it('releases 600 targets at 1/min exactly one per minute, the first at creation (10 hours in milliseconds)', () => {
    const times = simulate({ maximumPerMinute: 1 }, 600);
    expect(times).toHaveLength(600);
    times.forEach((t, i) => expect(t).toBe(T0 + i * MIN));
  });

  it('spreads a constant rate evenly and never exceeds it in any minute (§10 #43)', () => {
    for (const rate of [2, 7, 60, 1000]) {
      const times = simulate({ maximumPerMinute: rate }, rate * 5 + 3);
      expect(busiestMinute(times)).toBe(rate);
      expect(times.at(-1)).toBe(T0 + Math.ceil(((times.length - 1) * MIN) / rate));
    }
  });

  it('defaults maximumPerMinute to 1000 when only an exponential rate is given', () => {
    expect(currentRate({ exponentialRate: { baseRatePerMinute: 900, incrementFactor: 2, rateIncreaseCriteria: { numberOfNotifiedThings: 1 } } }, { notified: 5, succeeded: 0 })).toBe(1000);
  });

  it('steps an exponential rate by notified things: 2/min until 4, 4/min until 8, then the cap of 6 (§10 #44)', () => {
    const times = simulate({ maximumPerMinute: 6, exponentialRate: { baseRatePerMinute: 2, incrementFactor: 2, rateIncreaseCriteria: { numberOfNotifiedThings: 4 } } }, 20);
    const gaps = times.slice(1).map((t, i) => (t - (times[i] as number)) / 1000);
    expect(gaps.slice(0, 3)).toEqual([30, 30, 30]);
    expect(gaps.slice(3, 7)).toEqual([15, 15, 15, 15]);
    expect(new Set(gaps.slice(7))).toEqual(new Set([10]));
  });

  it("follows AWS's example: base 50, factor 2, every 1000 notified → 50, 100, 200, 400/min", () => {
    const config = { exponentialRate: { baseRatePerMinute: 50, incrementFactor: 2, rateIncreaseCriteria: { numberOfNotifiedThings: 1000 } } };
    expect([0, 999, 1000, 2000, 3000, 3999].map((n) => currentRate(config, { notified: n, succeeded: 0 }))).toEqual([50, 50, 100, 200, 400, 400]);
  });

  it('steps an exponential rate by succeeded things, floors fractions, and caps it', () => {
    const config = { maximumPerMinute: 40, exponentialRate: { baseRatePerMinute: 3, incrementFactor: 1.5, rateIncreaseCriteria: { numberOfSucceededThings: 2 } } };
    expect([0, 1, 2, 4, 6, 8, 20].map((s) => currentRate(config, { notified: 100, succeeded: s }))).toEqual([3, 3, 4, 6, 10, 15, 40]);
    // Releases speed up as successes come in (each device succeeds 20 s after its release).
    const times = simulate(config, 30, { succeedAfterMs: 20_000 });
    expect(times).toHaveLength(30);
    const first = (times[1] as number) - (times[0] as number);
    const last = (times.at(-1) as number) - (times.at(-2) as number);
    expect(first).toBe(20_000);
    expect(last).toBeLessThan(first);
  });

  it('with both criteria, whichever threshold is reached first raises the rate', () => {
    const config = { exponentialRate: { baseRatePerMinute: 10, incrementFactor: 2, rateIncreaseCriteria: { numberOfNotifiedThings: 100, numberOfSucceededThings: 5 } } };
    expect(currentRate(config, { notified: 50, succeeded: 5 })).toBe(20);
    expect(currentRate(config, { notified: 200, succeeded: 0 })).toBe(40);
  });

  it('resumes after a restart at the configured rate, without a burst for the time it was down', () => {
    const config = { maximumPerMinute: 2 };
    let plan = planRelease(config, undefined, { notified: 0, succeeded: 0 }, 10, T0);
    expect(plan.release).toBe(1);
    const downUntil = T0 + 60 * MIN;
    // Down an hour: one release is due at once (the spacing has long passed), not the 120 missed.
    plan = planRelease(config, resumeSegment(plan.segment, 1, downUntil), { notified: 1, succeeded: 0 }, 9, downUntil);
    expect(plan.release).toBe(1);
    expect(plan.nextAtMs).toBe(downUntil + 30_000);
  });

  it('keeps the spacing across a restart right after a release', () => {
    const config = { maximumPerMinute: 2 };
    const plan = planRelease(config, undefined, { notified: 0, succeeded: 0 }, 10, T0);
    const back = T0 + 5_000;
    const resumed = planRelease(config, resumeSegment(plan.segment, 1, back), { notified: 1, succeeded: 0 }, 9, back);
    expect(resumed.release).toBe(0);
    expect(resumed.nextAtMs).toBe(T0 + 30_000);
  });

  it('releases at once after a restart that came before the first release', () => {
    const segment: RolloutSegment = { startMs: T0, base: 0, rate: 1, first: true };
    const plan = planRelease({ maximumPerMinute: 1 }, resumeSegment(segment, 0, T0 + 10 * MIN), { notified: 0, succeeded: 0 }, 3, T0 + 10 * MIN);
    expect(plan.release).toBe(1);
    expect(plan.nextAtMs).toBe(T0 + 11 * MIN);
  });

  it('never releases more than are waiting or than the rate allows, however often it is asked (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 200 }), fc.array(fc.integer({ min: 0, max: 5 * MIN }), { maxLength: 30 }), (rate, targets, jitter) => {
        // Calls at arbitrary extra moments (timers firing late, progress changes) change nothing.
        const releases: number[] = [];
        let segment: RolloutSegment | undefined;
        const moments = [...new Set([0, ...jitter])].sort((a, b) => a - b).map((d) => T0 + d);
        for (const now of moments) {
          const plan = planRelease({ maximumPerMinute: rate }, segment, { notified: releases.length, succeeded: 0 }, targets - releases.length, now);
          segment = plan.segment;
          expect(plan.release).toBeLessThanOrEqual(targets - releases.length);
          for (let i = 0; i < plan.release; i++) releases.push(now);
        }
        const lastMoment = moments.at(-1) as number;
        expect(releases.length).toBeLessThanOrEqual(Math.min(targets, 1 + Math.floor(((lastMoment - T0) * rate) / MIN)));
      }),
    );
  });
});

describe('abort criteria (spec §4.2)', () => {
  const config: AbortConfig = { criteriaList: [{ failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 50, minNumberOfExecutedThings: 2 }] };
  const tally = (executed: number, failed: number, rejected = 0, timedOut = 0): AbortTally => ({ executed, failed, rejected, timedOut });

  it('aborts once 2 executions are terminal and ≥ 50 % FAILED (§10 #45)', () => {
    expect(abortCriterionMet(config, tally(2, 1))).toBe(config.criteriaList[0]);
    expect(abortCriterionMet(config, tally(3, 1))).toBeUndefined();
  });

  it('is not evaluated before minNumberOfExecutedThings executions are terminal (§10 #46)', () => {
    expect(abortCriterionMet(config, tally(1, 1))).toBeUndefined();
  });

  it('counts ALL as FAILED + REJECTED + TIMED_OUT and tests criteria in order', () => {
    const c: AbortConfig = {
      criteriaList: [
        { failureType: 'TIMED_OUT', action: 'CANCEL', thresholdPercentage: 10, minNumberOfExecutedThings: 10 },
        { failureType: 'ALL', action: 'CANCEL', thresholdPercentage: 33.33, minNumberOfExecutedThings: 3 },
      ],
    };
    expect(abortCriterionMet(c, tally(4, 0, 1, 0))).toBeUndefined();
    expect(abortCriterionMet(c, tally(4, 0, 0, 1))).toBeUndefined();
    expect(abortCriterionMet(c, tally(3, 0, 0, 1))).toBe(c.criteriaList[1]);
    expect(abortCriterionMet(c, tally(6, 1, 1, 0))).toBe(c.criteriaList[1]);
    expect(abortCriterionMet(c, tally(10, 0, 0, 1))).toBe(c.criteriaList[0]);
  });

  it('compares two-decimal thresholds exactly', () => {
    const c: AbortConfig = { criteriaList: [{ failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 33.34, minNumberOfExecutedThings: 1 }] };
    expect(abortCriterionMet(c, tally(3, 1))).toBeUndefined(); // 33.333… %
    expect(abortCriterionMet({ criteriaList: [{ ...c.criteriaList[0]!, thresholdPercentage: 33.33 }] }, tally(3, 1))).toBeDefined();
    expect(abortCriterionMet({ criteriaList: [{ ...c.criteriaList[0]!, thresholdPercentage: 0 }] }, tally(1, 0))).toBeDefined();
  });

  it('explains itself in the reasonCode and comment the canceled job carries', () => {
    expect(abortReason(config.criteriaList[0]!, tally(4, 2))).toEqual({
      reasonCode: 'ABORT_CRITERIA_MET',
      comment: 'Abort criteria met: FAILED 50.00% of 4 executed things (threshold 50%, minimum 2)',
    });
  });
});
