/**
 * The rollout engine driven through the jobs service on a FakeClock (issue 5 §1, §7, §8): rates,
 * what unreleased targets look like, restarts. Hours of rollout run in milliseconds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, type TimerHandle } from '../../src/core/clock.js';
import { groupArn, JobsSim, MINUTE, SIM_START, thingOf, value } from '../helpers/jobs-sim.js';

let sim: JobsSim | undefined;
afterEach(() => sim?.jobs.close());

/** Releases per simulated minute since the job's creation, from each first execution's queuedAt. */
function perMinute(s: JobsSim, jobId: string, minutes: number): number[] {
  const counts = new Array<number>(minutes).fill(0);
  for (const e of s.released(jobId)) {
    const m = Math.floor((e.queuedAt * 1000 - SIM_START) / MINUTE);
    if (m < minutes) counts[m] = (counts[m] ?? 0) + 1;
  }
  return counts;
}

describe('constant rate (spec §4.1, §10 #43)', () => {
  it('releases 600 targets at 1/min exactly one per minute over 10 simulated hours', async () => {
    sim = await JobsSim.start({ SaoPaulo: 600 });
    await sim.create('slow', { targets: [groupArn('SaoPaulo')], jobExecutionsRolloutConfig: { maximumPerMinute: 1 } });
    let notifiedBefore = 0;
    for (let minute = 0; minute < 600; minute++) {
      const notified = sim.released('slow').length;
      expect(notified).toBe(minute + 1);
      expect(notified - notifiedBefore).toBe(minute === 0 ? 1 : 1);
      notifiedBefore = notified;
      sim.clock.advance(MINUTE);
    }
    expect(perMinute(sim, 'slow', 600).every((n) => n === 1)).toBe(true);
    expect(sim.released('slow')).toHaveLength(600);
    expect(sim.details('slow').processingTargets).toBeUndefined();
  });

  it('offers unreleased targets nothing: no notify, empty get, no start-next, 404 to describe and absent from lists', async () => {
    sim = await JobsSim.start({ SaoPaulo: 3 });
    await sim.create('slow', { targets: [groupArn('SaoPaulo')], jobExecutionsRolloutConfig: { maximumPerMinute: 1 } });
    const first = sim.released('slow')[0]?.thingName;
    const waiting = [1, 2, 3].map((i) => thingOf('SaoPaulo', i)).filter((t) => t !== first);
    for (const t of waiting) {
      expect(sim.broker.on(`$aws/things/${t}/jobs/notify-next`)).toHaveLength(0);
      expect(sim.broker.request(`$aws/things/${t}/jobs/get`).body).toMatchObject({ inProgressJobs: [], queuedJobs: [] });
      expect(sim.startNext(t)).toBeUndefined();
      expect(sim.broker.request(`$aws/things/${t}/jobs/slow/get`).topic).toMatch(/rejected$/);
      expect(sim.jobs.executions.describeJobExecution(t, 'slow')).toMatchObject({ ok: false, error: { code: 'ResourceNotFound' } });
    }
    expect(value(sim.jobs.executions.listForJob('slow', {})).executionSummaries).toHaveLength(1);
    expect(sim.details('slow')).toMatchObject({ processingTargets: [groupArn('SaoPaulo')], numberOfQueuedThings: 1 });
    expect(sim.describe('slow').isConcurrent).toBe(true);

    sim.clock.advance(MINUTE);
    expect(sim.broker.on(`$aws/things/${waiting[0]}/jobs/notify-next`)).toHaveLength(1);
  });

  it('completes a SNAPSHOT job only once every target was released and finished', async () => {
    sim = await JobsSim.start({ SaoPaulo: 2 });
    await sim.create('slow', { targets: [groupArn('SaoPaulo')], jobExecutionsRolloutConfig: { maximumPerMinute: 1 } });
    const first = sim.released('slow')[0]?.thingName as string;
    sim.run(first, 'SUCCEEDED');
    expect(sim.describe('slow').status).toBe('IN_PROGRESS');
    sim.clock.advance(MINUTE);
    const second = sim.released('slow')[1]?.thingName as string;
    sim.run(second, 'SUCCEEDED');
    expect(sim.describe('slow')).toMatchObject({ status: 'COMPLETED', jobProcessDetails: { numberOfSucceededThings: 2 } });
  });

  it('spreads 1000/min evenly and releases everything at once without a rollout config', async () => {
    sim = await JobsSim.start({ Big: 2500 });
    await sim.create('fast', { targets: [groupArn('Big')], jobExecutionsRolloutConfig: { maximumPerMinute: 1000 } });
    sim.clock.advance(2 * MINUTE + 59_999);
    expect(perMinute(sim, 'fast', 3)).toEqual([1000, 1000, 500]);
    await sim.create('all', { targets: [groupArn('Big')] });
    // Released in chunks on zero-delay timers so the event loop turns between them.
    sim.clock.advance(0);
    expect(sim.released('all')).toHaveLength(2500);
  });

  it('gives a CONTINUOUS joiner its execution at once, and skips a target that left before its turn', async () => {
    sim = await JobsSim.start({ SaoPaulo: 3, Other: 1 });
    await sim.create('c', { targets: [groupArn('SaoPaulo')], targetSelection: 'CONTINUOUS', jobExecutionsRolloutConfig: { maximumPerMinute: 1 } });
    const waiting = [1, 2, 3].map((i) => thingOf('SaoPaulo', i)).filter((t) => t !== sim?.released('c')[0]?.thingName);
    value(sim.registry.removeThingFromThingGroup('SaoPaulo', waiting[0] as string));
    value(sim.registry.addThingToThingGroup('SaoPaulo', thingOf('Other', 1)));
    expect(sim.exec('c', thingOf('Other', 1))?.status).toBe('QUEUED');
    sim.clock.advance(MINUTE);
    expect(sim.exec('c', waiting[0] as string)).toBeUndefined();
    expect(sim.exec('c', waiting[1] as string)?.status).toBe('QUEUED');
    expect(sim.details('c').processingTargets).toBeUndefined();
  });
});

describe('exponential rate (spec §4.1, §10 #44)', () => {
  it('base 2, factor 2, notified threshold 4, max 6: 2/min until 4 notified, 4/min until 8, then 6/min', async () => {
    sim = await JobsSim.start({ G: 40 });
    await sim.create('exp', {
      targets: [groupArn('G')],
      jobExecutionsRolloutConfig: { maximumPerMinute: 6, exponentialRate: { baseRatePerMinute: 2, incrementFactor: 2, rateIncreaseCriteria: { numberOfNotifiedThings: 4 } } },
    });
    sim.clock.advance(7 * MINUTE);
    // Evenly spaced at each rate: 30 s apart until 4 notified, 15 s until 8, then 10 s.
    const times = sim.released('exp').map((e) => e.queuedAt - SIM_START / 1000);
    expect(times.slice(0, 12)).toEqual([0, 30, 60, 90, 105, 120, 135, 150, 160, 170, 180, 190]);
    // So no minute holds more than the rate in force.
    expect(perMinute(sim, 'exp', 7)).toEqual([2, 3, 5, 6, 6, 6, 6]);
  });

  it('raises the rate by successes with numberOfSucceededThings', async () => {
    sim = await JobsSim.start({ G: 30 });
    await sim.create('exp', {
      targets: [groupArn('G')],
      jobExecutionsRolloutConfig: { exponentialRate: { baseRatePerMinute: 1, incrementFactor: 3, rateIncreaseCriteria: { numberOfSucceededThings: 2 } } },
    });
    sim.clock.advance(2 * MINUTE - 1);
    expect(perMinute(sim, 'exp', 2)).toEqual([1, 1]);
    // Nothing succeeded yet: still 1/min. Two successes → 3/min: one release at once (no
    // backlog for the time before), then every 20 s.
    for (const e of sim.released('exp')) sim.run(e.thingName, 'SUCCEEDED');
    sim.clock.advance(MINUTE);
    const times = sim.released('exp').map((e) => e.queuedAt * 1000 - SIM_START);
    expect(times).toEqual([0, MINUTE, 2 * MINUTE - 1000, 2 * MINUTE + 19_000, 2 * MINUTE + 39_000, 2 * MINUTE + 59_000]);
  });
});

describe('restarts (issue 5 §7)', () => {
  it('resumes mid-rollout at the configured rate, releasing none twice and losing none', async () => {
    sim = await JobsSim.start({ SaoPaulo: 10 });
    await sim.create('slow', { targets: [groupArn('SaoPaulo')], jobExecutionsRolloutConfig: { maximumPerMinute: 2 } });
    sim.clock.advance(2 * MINUTE);
    expect(sim.released('slow')).toHaveLength(5);
    await sim.restart();
    expect(sim.released('slow')).toHaveLength(5);
    expect(sim.details('slow').processingTargets).toEqual([groupArn('SaoPaulo')]);
    sim.clock.advance(29_999);
    expect(sim.released('slow')).toHaveLength(5);
    sim.clock.advance(1);
    expect(sim.released('slow')).toHaveLength(6);
    sim.clock.advance(2 * MINUTE);
    const things = sim.released('slow').map((e) => e.thingName);
    expect(things).toHaveLength(10);
    expect(new Set(things).size).toBe(10);
    expect(sim.executions('slow').every((e) => e.executionNumber === 1)).toBe(true);
  });

  it('after a long outage releases one at once, not the backlog', async () => {
    sim = await JobsSim.start({ SaoPaulo: 10 });
    await sim.create('slow', { targets: [groupArn('SaoPaulo')], jobExecutionsRolloutConfig: { maximumPerMinute: 1 } });
    sim.jobs.close();
    sim.batcher.flush();
    sim.clock.advance(60 * MINUTE);
    await sim.restart();
    expect(sim.released('slow')).toHaveLength(2);
    sim.clock.advance(MINUTE);
    expect(sim.released('slow')).toHaveLength(3);
  });
});

/** A FakeClock whose timers all fire late, as Node timers do on a busy event loop. */
class LateClock extends FakeClock {
  constructor(private readonly lateMs: number) {
    super(SIM_START);
  }

  override setTimeout(fn: () => void, simMs: number): TimerHandle {
    return super.setTimeout(fn, simMs + this.lateMs);
  }
}

describe('late timers (spec §4.1: at most N in any minute)', () => {
  for (const lateMs of [700, 7_000]) {
    it(`catches up on a backlog without ever putting more than maximumPerMinute into a minute (timers ${lateMs} ms late)`, async () => {
      const clock = new LateClock(lateMs);
      sim = await JobsSim.start({ G: 700 }, { clock });
      const times: number[] = [];
      const publish = sim.broker.client.publish.bind(sim.broker.client) as (topic: string, payload: string) => void;
      (sim.broker.client as unknown as { publish: (topic: string, payload: string) => void }).publish = (topic, payload) => {
        if (topic.endsWith('/notify-next') && payload.includes('"execution"')) times.push(clock.now());
        publish(topic, payload);
      };
      await sim.create('late', { targets: [groupArn('G')], jobExecutionsRolloutConfig: { maximumPerMinute: 60 } });
      clock.advance(10 * MINUTE);
      for (const t of times) expect(times.filter((u) => u > t - MINUTE && u <= t).length).toBeLessThanOrEqual(60);
      // Near the configured rate overall: a timer late by a tenth of the spacing loses almost
      // nothing; one late by seven spacings loses some, since slots free up while it sleeps.
      expect(times.length).toBeGreaterThanOrEqual(lateMs < 1000 ? 590 : 500);
    });
  }
});
