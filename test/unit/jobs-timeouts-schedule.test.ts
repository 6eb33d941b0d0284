/** Timeouts and scheduling driven through the jobs service on a FakeClock (spec §4.3, §4.5, §10 #47–49, #52). */
import { afterEach, describe, expect, it } from 'vitest';
import { groupArn, JobsSim, MINUTE, SIM_START, thingOf } from '../helpers/jobs-sim.js';

let sim: JobsSim | undefined;
afterEach(() => sim?.jobs.close());

const at = (ms: number): string => new Date(ms).toISOString().slice(0, 16);
const T = thingOf('G', 1);

describe('timeouts (spec §4.3)', () => {
  it('inProgressTimeoutInMinutes 1 with no update → TIMED_OUT after a minute, event and counter (§10 #47)', async () => {
    sim = await JobsSim.start({ G: 1 });
    await sim.create('t', { targets: [groupArn('G')], timeoutConfig: { inProgressTimeoutInMinutes: 1 } });
    const started = sim.startNext(T);
    expect(started).toMatchObject({ status: 'IN_PROGRESS', approximateSecondsBeforeTimedOut: 60 });
    sim.clock.advance(MINUTE - 1);
    expect(sim.exec('t', T)?.status).toBe('IN_PROGRESS');
    sim.clock.advance(1);
    expect(sim.exec('t', T)).toMatchObject({ status: 'TIMED_OUT', versionNumber: 3 });
    expect(sim.events('timed_out').map((e) => e.topic)).toEqual(['$aws/events/jobExecution/t/timed_out']);
    expect(sim.describe('t')).toMatchObject({ status: 'COMPLETED', jobProcessDetails: { numberOfTimedOutThings: 1 } });
    // The device's late report is refused.
    expect(sim.update(T, 't', { status: 'SUCCEEDED' }).body).toMatchObject({ code: 'InvalidStateTransition' });
  });

  it("a new step timer replaces the old, −1 cancels it, none passes the in-progress bound (AWS's 12:00 example, §10 #48)", async () => {
    sim = await JobsSim.start({ G: 1 });
    await sim.create('t', { targets: [groupArn('G')], timeoutConfig: { inProgressTimeoutInMinutes: 20 } });
    sim.startNext(T);
    const left = (): unknown => (sim?.jobs.executions.describeJobExecution(T, 't') as { ok: true; value: { execution: Record<string, unknown> } }).value.execution.approximateSecondsBeforeTimedOut;
    sim.clock.advance(5 * MINUTE);
    sim.update(T, 't', { status: 'IN_PROGRESS', stepTimeoutInMinutes: 7 });
    expect(left()).toBe(7 * 60);
    sim.clock.advance(5 * MINUTE);
    sim.update(T, 't', { status: 'IN_PROGRESS', stepTimeoutInMinutes: 5 });
    expect(left()).toBe(5 * 60);
    sim.clock.advance(3 * MINUTE);
    sim.update(T, 't', { status: 'IN_PROGRESS', stepTimeoutInMinutes: 9 });
    // 12:13 + 9 = 12:22, but the in-progress bound is 12:20.
    expect(left()).toBe(7 * 60);
    sim.update(T, 't', { status: 'IN_PROGRESS', stepTimeoutInMinutes: 1 });
    sim.update(T, 't', { status: 'IN_PROGRESS', stepTimeoutInMinutes: -1 });
    expect(left()).toBe(7 * 60);
    sim.clock.advance(7 * MINUTE - 1);
    expect(sim.exec('t', T)?.status).toBe('IN_PROGRESS');
    sim.clock.advance(1);
    expect(sim.exec('t', T)?.status).toBe('TIMED_OUT');
  });

  it('a step timer alone times out the execution; a terminal one shows no time left (§10 #49)', async () => {
    sim = await JobsSim.start({ G: 1 });
    await sim.create('t', { targets: [groupArn('G')] });
    const started = sim.startNext(T, { stepTimeoutInMinutes: 2 });
    expect(started?.approximateSecondsBeforeTimedOut).toBe(120);
    sim.clock.advance(2 * MINUTE);
    expect(sim.exec('t', T)?.status).toBe('TIMED_OUT');
    const described = sim.jobs.executions.describeJobExecution(T, 't') as { ok: true; value: { execution: Record<string, unknown> } };
    expect(described.value.execution.approximateSecondsBeforeTimedOut).toBeUndefined();
  });

  it('rebuilds every timer after a restart from the stored executions', async () => {
    sim = await JobsSim.start({ G: 1 });
    await sim.create('t', { targets: [groupArn('G')], timeoutConfig: { inProgressTimeoutInMinutes: 10 } });
    sim.startNext(T);
    sim.clock.advance(4 * MINUTE);
    await sim.restart();
    expect(sim.jobs.timeouts.running).toBe(1);
    sim.clock.advance(6 * MINUTE);
    expect(sim.exec('t', T)?.status).toBe('TIMED_OUT');
  });
});

describe('scheduling (spec §4.5)', () => {
  it('is SCHEDULED with no executions until startTime, then rolls out (§10 #52)', async () => {
    sim = await JobsSim.start({ G: 2 });
    const start = SIM_START + 45 * MINUTE;
    await sim.create('s', { targets: [groupArn('G')], schedulingConfig: { startTime: at(start) } });
    sim.clock.advanceTo(start - 1);
    expect(sim.describe('s').status).toBe('SCHEDULED');
    expect(sim.executions('s')).toHaveLength(0);
    sim.clock.advanceTo(start);
    expect(sim.describe('s').status).toBe('IN_PROGRESS');
    expect(sim.executions('s')).toHaveLength(2);
  });

  it('releases only inside maintenance windows, resuming at the rate when one reopens, and lists the next starts', async () => {
    sim = await JobsSim.start({ G: 20 });
    // Windows of 5 minutes at the top of every hour; the job is created at 12:00.
    await sim.create('w', {
      targets: [groupArn('G')],
      jobExecutionsRolloutConfig: { maximumPerMinute: 1 },
      schedulingConfig: { maintenanceWindows: [{ startTime: 'cron(0 * ? * * *)', durationInMinutes: 5 }] },
    });
    expect((sim.describe('w').scheduledJobRollouts as unknown[]).length).toBe(7);
    expect(sim.describe('w').scheduledJobRollouts).toContainEqual({ startTime: at(SIM_START + 60 * MINUTE) });
    sim.clock.advance(60 * MINUTE - 1);
    // 12:00–12:05: one a minute, 5 in all; nothing in the closed hour after.
    expect(sim.released('w')).toHaveLength(5);
    sim.clock.advance(1);
    expect(sim.released('w')).toHaveLength(6);
    sim.clock.advance(5 * MINUTE);
    expect(sim.released('w')).toHaveLength(10);
    const minutes = sim.released('w').map((e) => (e.queuedAt * 1000 - SIM_START) / MINUTE);
    expect(minutes).toEqual([0, 1, 2, 3, 4, 60, 61, 62, 63, 64]);
  });

  it('endTime with STOP_ROLLOUT: no new executions, running ones continue, the job completes', async () => {
    sim = await JobsSim.start({ G: 10 });
    await sim.create('e', {
      targets: [groupArn('G')],
      jobExecutionsRolloutConfig: { maximumPerMinute: 1 },
      schedulingConfig: { startTime: at(SIM_START), endTime: at(SIM_START + 3 * MINUTE), endBehavior: 'STOP_ROLLOUT' },
    });
    sim.clock.advance(MINUTE);
    const running = sim.released('e')[0]?.thingName as string;
    sim.startNext(running);
    sim.clock.advance(2 * MINUTE);
    expect(sim.released('e')).toHaveLength(3);
    expect(sim.describe('e').status).toBe('IN_PROGRESS');
    sim.clock.advance(10 * MINUTE);
    expect(sim.released('e')).toHaveLength(3);
    for (const e of sim.released('e')) if (e.thingName !== running) sim.run(e.thingName, 'SUCCEEDED');
    sim.update(running, 'e', { status: 'SUCCEEDED' });
    expect(sim.describe('e')).toMatchObject({ status: 'COMPLETED', jobProcessDetails: { numberOfSucceededThings: 3 } });
  });

  it('endTime with CANCEL cancels QUEUED executions; FORCE_CANCEL cancels IN_PROGRESS ones too', async () => {
    sim = await JobsSim.start({ G: 2 });
    const end = at(SIM_START + 30 * MINUTE);
    await sim.create('c', { targets: [groupArn('G')], schedulingConfig: { startTime: at(SIM_START), endTime: end, endBehavior: 'CANCEL' } });
    await sim.create('f', { targets: [groupArn('G')], schedulingConfig: { startTime: at(SIM_START), endTime: end, endBehavior: 'FORCE_CANCEL' } });
    sim.clock.advance(0);
    for (const job of ['c', 'f']) for (const t of [thingOf('G', 1), thingOf('G', 2)]) sim.update(t, job, { status: 'IN_PROGRESS' });
    sim.clock.advance(30 * MINUTE);
    expect(sim.describe('c')).toMatchObject({ status: 'CANCELED', forceCanceled: false });
    expect(sim.describe('f')).toMatchObject({ status: 'CANCELED', forceCanceled: true });
    expect(sim.executions('f').map((e) => [e.status, e.forceCanceled])).toEqual([
      ['CANCELED', true],
      ['CANCELED', true],
    ]);
    expect(sim.executions('c').filter((e) => e.status === 'IN_PROGRESS')).toHaveLength(2);
  });
});
