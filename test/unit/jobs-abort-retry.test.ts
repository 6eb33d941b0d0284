/** Abort criteria and retries driven through the jobs service on a FakeClock (spec §4.2, §4.4, §10 #45, #46, #50). */
import { afterEach, describe, expect, it } from 'vitest';
import { groupArn, JobsSim, MINUTE, thingOf } from '../helpers/jobs-sim.js';

let sim: JobsSim | undefined;
afterEach(() => sim?.jobs.close());

const things = (group: string, n: number): string[] => Array.from({ length: n }, (_, i) => thingOf(group, i + 1));

describe('abort (spec §4.2)', () => {
  it('{FAILED, 50 %, min 2}: two executed with one FAILED cancels the job and its QUEUED executions (§10 #45)', async () => {
    sim = await JobsSim.start({ G: 5 });
    await sim.create('a', { targets: [groupArn('G')], abortConfig: { criteriaList: [{ failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 50, minNumberOfExecutedThings: 2 }] } });
    const [t1, t2, t3] = things('G', 5);
    sim.startNext(t3 as string);
    sim.run(t1 as string, 'FAILED');
    // One executed: below the minimum, so not evaluated (§10 #46) although 100 % failed.
    expect(sim.describe('a').status).toBe('IN_PROGRESS');
    sim.run(t2 as string, 'SUCCEEDED');
    const job = sim.describe('a');
    expect(job).toMatchObject({ status: 'CANCELED', forceCanceled: false, reasonCode: 'ABORT_CRITERIA_MET', jobProcessDetails: { numberOfCanceledThings: 2, numberOfInProgressThings: 1 } });
    expect(job.comment).toContain('FAILED 50.00% of 2 executed things');
    expect(sim.events('canceled').map((e) => e.topic)).toContain('$aws/events/job/a/canceled');
    // The IN_PROGRESS execution may still finish.
    expect(sim.update(t3 as string, 'a', { status: 'SUCCEEDED' }).topic).toMatch(/accepted$/);
  });

  it('waits for exactly minNumberOfExecutedThings, then compares at the threshold boundary', async () => {
    sim = await JobsSim.start({ G: 10 });
    await sim.create('a', { targets: [groupArn('G')], abortConfig: { criteriaList: [{ failureType: 'ALL', action: 'CANCEL', thresholdPercentage: 25, minNumberOfExecutedThings: 4 }] } });
    const t = things('G', 10);
    sim.run(t[0] as string, 'REJECTED');
    sim.run(t[1] as string, 'SUCCEEDED');
    sim.run(t[2] as string, 'SUCCEEDED');
    expect(sim.describe('a').status).toBe('IN_PROGRESS');
    // 4 executed, 1 failure = 25 % ≥ 25 %: abort.
    sim.run(t[3] as string, 'SUCCEEDED');
    expect(sim.describe('a')).toMatchObject({ status: 'CANCELED', reasonCode: 'ABORT_CRITERIA_MET' });
  });

  it('does not abort below the threshold', async () => {
    sim = await JobsSim.start({ G: 5 });
    await sim.create('a', { targets: [groupArn('G')], abortConfig: { criteriaList: [{ failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 50.01, minNumberOfExecutedThings: 2 }] } });
    const t = things('G', 5);
    sim.run(t[0] as string, 'FAILED');
    sim.run(t[1] as string, 'SUCCEEDED');
    expect(sim.describe('a').status).toBe('IN_PROGRESS');
  });

  it('stops the rollout: targets not yet released never get an execution', async () => {
    sim = await JobsSim.start({ G: 10 });
    await sim.create('a', {
      targets: [groupArn('G')],
      jobExecutionsRolloutConfig: { maximumPerMinute: 1 },
      abortConfig: { criteriaList: [{ failureType: 'REJECTED', action: 'CANCEL', thresholdPercentage: 100, minNumberOfExecutedThings: 1 }] },
    });
    sim.run(sim.released('a')[0]?.thingName as string, 'REJECTED');
    expect(sim.describe('a').status).toBe('CANCELED');
    sim.clock.advance(30 * MINUTE);
    expect(sim.released('a')).toHaveLength(1);
    expect(sim.details('a').processingTargets).toBeUndefined();
  });
});

describe('retries (spec §4.4, §10 #50)', () => {
  it('{FAILED, 2}: each FAILED yields a new QUEUED execution, executionNumber and retryAttempt +1, at most twice', async () => {
    sim = await JobsSim.start({ G: 1 });
    await sim.create('r', { targets: [groupArn('G')], jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 2 }] } });
    const t = thingOf('G', 1);
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(sim.exec('r', t)).toMatchObject({ status: 'QUEUED', executionNumber: attempt + 1, retryAttempt: attempt, versionNumber: 1 });
      // One notify-next per attempt, naming it: never an empty one between a failure and its retry.
      expect(sim.broker.on(`$aws/things/${t}/jobs/notify-next`).map((m) => m.body.execution)).toHaveLength(attempt + 1);
      expect(sim.broker.on(`$aws/things/${t}/jobs/notify-next`).at(-1)?.body).toMatchObject({ execution: { jobId: 'r', executionNumber: attempt + 1, status: 'QUEUED' } });
      sim.run(t, 'FAILED');
    }
    expect(sim.exec('r', t)).toMatchObject({ status: 'FAILED', executionNumber: 3, retryAttempt: 2 });
    expect(sim.executions('r').map((e) => e.status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    // Counted as AWS counts: one thing, FAILED once it is final.
    expect(sim.details('r')).toMatchObject({ numberOfFailedThings: 1, numberOfQueuedThings: 0 });
    expect(sim.describe('r').status).toBe('COMPLETED');
  });

  it('never retries REJECTED, and a retried failure is not counted before its last attempt', async () => {
    sim = await JobsSim.start({ G: 2 });
    await sim.create('r', { targets: [groupArn('G')], jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'ALL', numberOfRetries: 1 }] } });
    sim.run(thingOf('G', 1), 'REJECTED');
    expect(sim.exec('r', thingOf('G', 1))).toMatchObject({ status: 'REJECTED', executionNumber: 1 });
    sim.run(thingOf('G', 2), 'FAILED');
    expect(sim.details('r')).toMatchObject({ numberOfRejectedThings: 1, numberOfFailedThings: 0, numberOfQueuedThings: 1 });
  });

  it('retries TIMED_OUT under a TIMED_OUT criterion', async () => {
    sim = await JobsSim.start({ G: 1 });
    await sim.create('r', {
      targets: [groupArn('G')],
      timeoutConfig: { inProgressTimeoutInMinutes: 1 },
      jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'TIMED_OUT', numberOfRetries: 1 }] },
    });
    const t = thingOf('G', 1);
    sim.startNext(t);
    sim.clock.advance(MINUTE);
    expect(sim.exec('r', t, 1)?.status).toBe('TIMED_OUT');
    expect(sim.exec('r', t)).toMatchObject({ status: 'QUEUED', executionNumber: 2, retryAttempt: 1 });
    sim.startNext(t);
    sim.clock.advance(MINUTE);
    expect(sim.exec('r', t)).toMatchObject({ status: 'TIMED_OUT', executionNumber: 2 });
    expect(sim.describe('r')).toMatchObject({ status: 'COMPLETED', jobProcessDetails: { numberOfTimedOutThings: 1 } });
  });

  it('a canceled job schedules no retries, and its pending retries are canceled', async () => {
    sim = await JobsSim.start({ G: 1 });
    await sim.create('r', { targets: [groupArn('G')], jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 3 }] } });
    const t = thingOf('G', 1);
    sim.run(t, 'FAILED');
    expect(sim.exec('r', t)?.status).toBe('QUEUED');
    sim.jobs.control.cancelJob('r', {}, false);
    expect(sim.exec('r', t)).toMatchObject({ status: 'CANCELED', executionNumber: 2 });
  });

  it('a retry counts toward abort only once it is final', async () => {
    sim = await JobsSim.start({ G: 4 });
    await sim.create('ra', {
      targets: [groupArn('G')],
      jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 1 }] },
      abortConfig: { criteriaList: [{ failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 50, minNumberOfExecutedThings: 2 }] },
    });
    sim.run(thingOf('G', 1), 'FAILED');
    sim.run(thingOf('G', 2), 'SUCCEEDED');
    // G-1's failure is retried, so one executed (G-2) and no failure: no abort.
    expect(sim.describe('ra').status).toBe('IN_PROGRESS');
    sim.run(thingOf('G', 1), 'FAILED');
    expect(sim.describe('ra')).toMatchObject({ status: 'CANCELED', reasonCode: 'ABORT_CRITERIA_MET' });
  });
});
