import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventSettings } from '../../src/cloud/event-configurations.js';
import {
  applyDeviceUpdate,
  applyServiceTransition,
  newExecution,
  type DeviceUpdateRequest,
  type JobExecution,
} from '../../src/cloud/jobs/executions.js';
import { JobsService } from '../../src/cloud/jobs/service.js';
import { executionDeadline, expire, inProgressDeadline, secondsBeforeTimedOut } from '../../src/cloud/jobs/timeouts.js';
import { Registry } from '../../src/cloud/registry/registry.js';
import { openStore, WriteBatcher } from '../../src/cloud/store/sqlite.js';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { FakeBroker } from '../helpers/fake-service-broker.js';

/** 12:00 of the AWS example (§4.3), in epoch seconds. */
const NOON = Date.UTC(2026, 10, 23, 12) / 1000;
/** Epoch seconds of 12:mm:ss on the example's day. */
const at = (minute: number, second = 0): number => NOON + 60 * minute + second;
const TWENTY_MINUTES = 20;

function accepted(r: ReturnType<typeof applyDeviceUpdate>): JobExecution {
  if (!r.ok) throw new Error(`rejected: ${r.error.code} ${r.error.message}`);
  return r.value;
}

const update = (exec: JobExecution, req: DeviceUpdateRequest, nowSec: number): JobExecution =>
  accepted(applyDeviceUpdate(exec, req, nowSec));

const queued = (): JobExecution => newExecution({ jobId: 'j1', thingName: 'sp1', executionNumber: 1, retryAttempt: 0, nowSec: NOON - 60 });

/** Started at 12:00, as start-next does it: a QUEUED → IN_PROGRESS update, step timer if given. */
const started = (stepTimeoutInMinutes?: number): JobExecution =>
  update(queued(), { status: 'IN_PROGRESS', ...(stepTimeoutInMinutes !== undefined ? { stepTimeoutInMinutes } : {}) }, at(0));

describe('executionDeadline: the AWS example (§4.3)', () => {
  it('a 20-minute in-progress timer from 12:00, then steps of 7 at 12:05, 5 at 12:10, 9 at 12:13 → 12:20, 12:12, 12:15, 12:20', () => {
    const s0 = started();
    expect(executionDeadline(s0, TWENTY_MINUTES)).toBe(at(20));
    const s1 = update(s0, { status: 'IN_PROGRESS', stepTimeoutInMinutes: 7 }, at(5));
    expect(executionDeadline(s1, TWENTY_MINUTES)).toBe(at(12));
    const s2 = update(s1, { status: 'IN_PROGRESS', stepTimeoutInMinutes: 5 }, at(10));
    expect(executionDeadline(s2, TWENTY_MINUTES)).toBe(at(15));
    const s3 = update(s2, { status: 'IN_PROGRESS', stepTimeoutInMinutes: 9 }, at(13));
    // The raw step timer says 12:22; the in-progress bound caps it.
    expect(s3.stepTimeoutAt).toBe(at(22));
    expect(executionDeadline(s3, TWENTY_MINUTES)).toBe(at(20));
  });

  it('the bound comes from startedAt, not from queuedAt or the last update', () => {
    const s = started();
    expect(inProgressDeadline(s, TWENTY_MINUTES)).toBe(at(20));
    const later = update(s, { status: 'IN_PROGRESS', statusDetails: { step: 'download' } }, at(15));
    expect(executionDeadline(later, TWENTY_MINUTES)).toBe(at(20));
  });

  it('a step timer alone sets the deadline when the job has no in-progress timer', () => {
    const s = update(started(), { status: 'IN_PROGRESS', stepTimeoutInMinutes: 9 }, at(13));
    expect(executionDeadline(s, undefined)).toBe(at(22));
  });

  it('a step timer given to start-next counts from the start and is capped too', () => {
    expect(executionDeadline(started(7), TWENTY_MINUTES)).toBe(at(7));
    expect(executionDeadline(started(25), TWENTY_MINUTES)).toBe(at(20));
  });

  it('-1 cancels the step timer: the in-progress bound is left, or no timer at all (§10 #48)', () => {
    const stepped = update(started(), { status: 'IN_PROGRESS', stepTimeoutInMinutes: 7 }, at(5));
    const canceled = update(stepped, { status: 'IN_PROGRESS', stepTimeoutInMinutes: -1 }, at(6));
    expect(canceled.stepTimeoutAt).toBeUndefined();
    expect(executionDeadline(canceled, TWENTY_MINUTES)).toBe(at(20));
    expect(executionDeadline(canceled, undefined)).toBeUndefined();
    expect(secondsBeforeTimedOut(canceled, undefined, at(6))).toBeUndefined();
    expect(expire(canceled, undefined, at(10_000))).toBeUndefined();
  });

  it('an update without stepTimeoutInMinutes keeps the running step timer', () => {
    const stepped = update(started(), { status: 'IN_PROGRESS', stepTimeoutInMinutes: 7 }, at(5));
    const progress = update(stepped, { status: 'IN_PROGRESS', statusDetails: { progress: '50%' } }, at(8));
    expect(executionDeadline(progress, TWENTY_MINUTES)).toBe(at(12));
  });

  it('no timer at all: no deadline, no approximateSecondsBeforeTimedOut, never expires', () => {
    const s = started();
    expect(executionDeadline(s, undefined)).toBeUndefined();
    expect(secondsBeforeTimedOut(s, undefined, at(1))).toBeUndefined();
    expect(expire(s, undefined, at(100_000))).toBeUndefined();
  });

  it('a QUEUED execution has no deadline: timers start at IN_PROGRESS', () => {
    expect(executionDeadline(queued(), TWENTY_MINUTES)).toBeUndefined();
    expect(secondsBeforeTimedOut(queued(), TWENTY_MINUTES, at(0))).toBeUndefined();
    expect(expire(queued(), TWENTY_MINUTES, at(100))).toBeUndefined();
  });

  it.each(['SUCCEEDED', 'FAILED', 'REJECTED'] as const)('a %s execution has no deadline and no approximateSecondsBeforeTimedOut (§10 #49)', (status) => {
    const stepped = update(started(), { status: 'IN_PROGRESS', stepTimeoutInMinutes: 7 }, at(5));
    const done = update(stepped, { status }, at(6));
    expect(executionDeadline(done, TWENTY_MINUTES)).toBeUndefined();
    expect(secondsBeforeTimedOut(done, TWENTY_MINUTES, at(6))).toBeUndefined();
    expect(expire(done, TWENTY_MINUTES, at(30))).toBeUndefined();
  });

  it('service-set terminal statuses (CANCELED by force, REMOVED, TIMED_OUT) have none either', () => {
    const s = started(7);
    const ended = [
      applyServiceTransition(s, 'CANCELED', at(1), { force: true }),
      applyServiceTransition(s, 'REMOVED', at(1)),
      applyServiceTransition(s, 'TIMED_OUT', at(7)),
    ].map(accepted);
    for (const e of ended) {
      expect(executionDeadline(e, TWENTY_MINUTES)).toBeUndefined();
      expect(secondsBeforeTimedOut(e, TWENTY_MINUTES, at(1))).toBeUndefined();
    }
  });
});

describe('secondsBeforeTimedOut (§10 #49)', () => {
  it('is the deadline minus now while a timer runs, through the example', () => {
    const s0 = started();
    expect(secondsBeforeTimedOut(s0, TWENTY_MINUTES, at(0))).toBe(1200);
    const s1 = update(s0, { status: 'IN_PROGRESS', stepTimeoutInMinutes: 7 }, at(5));
    expect(secondsBeforeTimedOut(s1, TWENTY_MINUTES, at(5))).toBe(420);
    expect(secondsBeforeTimedOut(s1, TWENTY_MINUTES, at(11, 30))).toBe(30);
    const s3 = update(s1, { status: 'IN_PROGRESS', stepTimeoutInMinutes: 9 }, at(13));
    expect(secondsBeforeTimedOut(s3, TWENTY_MINUTES, at(13))).toBe(420);
  });

  it('is 0, never negative, once the deadline has passed but the execution is not yet expired', () => {
    const s = started(7);
    expect(secondsBeforeTimedOut(s, TWENTY_MINUTES, at(7))).toBe(0);
    expect(secondsBeforeTimedOut(s, TWENTY_MINUTES, at(9))).toBe(0);
  });
});

describe('expire', () => {
  it('inProgressTimeoutInMinutes 1 and no update → TIMED_OUT after exactly 1 minute (§10 #47)', () => {
    const s = started();
    expect(expire(s, 1, at(0, 59))).toBeUndefined();
    const r = expire(s, 1, at(1));
    expect(r).toEqual({
      ok: true,
      value: { ...s, status: 'TIMED_OUT', lastUpdatedAt: at(1), versionNumber: s.versionNumber + 1 },
    });
  });

  it('fires at the capped deadline of the example, not at the raw step timer', () => {
    const s3 = update(update(started(), { status: 'IN_PROGRESS', stepTimeoutInMinutes: 7 }, at(5)), { status: 'IN_PROGRESS', stepTimeoutInMinutes: 9 }, at(13));
    expect(expire(s3, TWENTY_MINUTES, at(19, 59))).toBeUndefined();
    const r = expire(s3, TWENTY_MINUTES, at(20));
    if (!r?.ok) throw new Error('expected a TIMED_OUT execution');
    expect(r.value).toMatchObject({ status: 'TIMED_OUT', lastUpdatedAt: at(20), versionNumber: s3.versionNumber + 1 });
    // Timers stop at terminal status: nothing is left to fire.
    expect(r.value.stepTimeoutAt).toBeUndefined();
    expect(expire(r.value, TWENTY_MINUTES, at(30))).toBeUndefined();
  });

  it('a late call (say after a restart) still times the execution out, stamped with nowSec', () => {
    const r = expire(started(7), undefined, at(45));
    expect(r?.ok && r.value).toMatchObject({ status: 'TIMED_OUT', lastUpdatedAt: at(45) });
  });

  it('leaves the original execution untouched', () => {
    const s = started(7);
    const copy = structuredClone(s);
    expire(s, TWENTY_MINUTES, at(8));
    expect(s).toEqual(copy);
  });
});

describe('property: the deadline is the earlier of the in-progress bound and the last step timer', () => {
  // A step of the device's: minutes after the previous request, then the step timer it asks for.
  const stepArb = fc.record({
    afterMinutes: fc.integer({ min: 0, max: 30 }),
    step: fc.option(fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: 60 })), { nil: undefined }),
  });

  it('holds for any sequence of updates, and never exceeds the in-progress bound', () => {
    fc.assert(
      fc.property(fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }), fc.array(stepArb, { maxLength: 12 }), (bound, steps) => {
        let exec = started();
        let now = at(0);
        let stepDeadline: number | undefined;
        for (const { afterMinutes, step } of steps) {
          now += 60 * afterMinutes;
          exec = update(exec, { status: 'IN_PROGRESS', ...(step !== undefined ? { stepTimeoutInMinutes: step } : {}) }, now);
          if (step === -1) stepDeadline = undefined;
          else if (step !== undefined) stepDeadline = now + 60 * step;
        }
        const inProgress = bound === undefined ? undefined : at(bound);
        const candidates = [inProgress, stepDeadline].filter((d): d is number => d !== undefined);
        const expected = candidates.length === 0 ? undefined : Math.min(...candidates);
        const deadline = executionDeadline(exec, bound);
        expect(deadline).toBe(expected);
        if (inProgress !== undefined && deadline !== undefined) expect(deadline).toBeLessThanOrEqual(inProgress);
        if (deadline !== undefined) {
          expect(expire(exec, bound, deadline - 1)).toBeUndefined();
          expect(expire(exec, bound, deadline)?.ok).toBe(true);
        }
      }),
    );
  });
});

describe('through the device API: start-next and update over MQTT (§1.3, §4.3)', () => {
  const SCOPE = { region: 'us-east-1', account: '123456789012' };
  const P = '$aws/things/sp1/jobs';
  let clock: FakeClock;
  let jobs: JobsService;
  let broker: FakeBroker;

  beforeEach(async () => {
    const db = openStore(':memory:');
    clock = new FakeClock(NOON * 1000);
    const registry = new Registry(db, SCOPE);
    const created = registry.createThing('sp1', {}, NOON);
    if (!created.ok) throw new Error('could not create thing sp1');
    const events = new EventSettings(db, { job: false, jobExecution: false }, NOON);
    jobs = new JobsService({ db, batcher: new WriteBatcher(db), registry, events, scope: SCOPE, clock, log: silentLogger() });
    broker = new FakeBroker();
    await jobs.attach(broker.client);
    const job = await jobs.control.createJob('j1', {
      targets: ['arn:aws:iot:::thing/sp1'],
      document: JSON.stringify({ operation: 'reboot' }),
      timeoutConfig: { inProgressTimeoutInMinutes: TWENTY_MINUTES },
    });
    if (!job.ok) throw new Error(`createJob: ${job.error.message}`);
  });

  afterEach(() => jobs.close());

  const minutesLater = (m: number): void => clock.advance(60_000 * m);
  const stored = (): JobExecution => {
    const exec = jobs.store.find('j1', 'sp1');
    if (!exec) throw new Error('no execution of j1 on sp1');
    return exec;
  };
  const deadline = (): number | undefined => executionDeadline(stored(), jobs.store.job('j1')?.timeoutConfig?.inProgressTimeoutInMinutes);
  const send = (topic: string, body: object): void => {
    expect(broker.request(`${P}/${topic}`, body).topic).toBe(`${P}/${topic}/accepted`);
  };

  it('reproduces the example: start-next at 12:00, steps 7/5/9 at 12:05/12:10/12:13', () => {
    send('start-next', {});
    expect(deadline()).toBe(at(20));
    minutesLater(5);
    send('j1/update', { status: 'IN_PROGRESS', stepTimeoutInMinutes: 7 });
    expect(deadline()).toBe(at(12));
    minutesLater(5);
    send('j1/update', { status: 'IN_PROGRESS', stepTimeoutInMinutes: '5' });
    expect(deadline()).toBe(at(15));
    minutesLater(3);
    send('j1/update', { status: 'IN_PROGRESS', stepTimeoutInMinutes: 9 });
    expect(deadline()).toBe(at(20));
    expect(secondsBeforeTimedOut(stored(), TWENTY_MINUTES, at(13))).toBe(420);
  });

  it("start-next's stepTimeoutInMinutes starts a step timer, capped by the in-progress bound", () => {
    send('start-next', { stepTimeoutInMinutes: 7 });
    expect(deadline()).toBe(at(7));
    minutesLater(2);
    send('j1/update', { status: 'IN_PROGRESS', stepTimeoutInMinutes: 30 });
    expect(deadline()).toBe(at(20));
    send('j1/update', { status: 'IN_PROGRESS', stepTimeoutInMinutes: -1 });
    expect(deadline()).toBe(at(20));
  });

  it('a terminal update stops the timers', () => {
    send('start-next', { stepTimeoutInMinutes: 7 });
    send('j1/update', { status: 'SUCCEEDED', stepTimeoutInMinutes: 3 });
    expect(deadline()).toBeUndefined();
  });
});
