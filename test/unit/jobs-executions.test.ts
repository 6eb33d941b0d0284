import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  applyDeviceUpdate,
  applyServiceTransition,
  executionState,
  isDeviceSettable,
  isJobExecutionStatus,
  isRetryable,
  isTerminal,
  newExecution,
  validateStatusDetails,
  CONTROL_PLANE_STATUS_DETAILS_MAX_ENTRIES,
  DEVICE_SETTABLE,
  JOB_EXECUTION_STATUSES,
  type DeviceUpdateRequest,
  type JobExecution,
  type JobExecutionStatus,
  type JobsError,
  type JobsErrorCode,
  type ServiceStatus,
} from '../../src/cloud/jobs/executions.js';

const T0 = 1_767_225_600;
const T1 = 1_767_225_661;
const T2 = 1_767_225_700;
const T3 = 1_767_225_800;

const queued = (): JobExecution =>
  newExecution({ jobId: 'ChangeTempUnit', thingName: 'device-022', executionNumber: 1, retryAttempt: 0, nowSec: T0 });

function accepted(r: ReturnType<typeof applyDeviceUpdate>): JobExecution {
  if (!r.ok) throw new Error(`rejected: ${r.error.code} ${r.error.message}`);
  return r.value;
}

function rejected(r: ReturnType<typeof applyDeviceUpdate>): JobsError {
  if (r.ok) throw new Error(`accepted as ${r.value.status}`);
  return r.error;
}

const update = (exec: JobExecution, req: DeviceUpdateRequest, nowSec = T1): JobExecution =>
  accepted(applyDeviceUpdate(exec, req, nowSec));

const service = (exec: JobExecution, to: ServiceStatus, force = false, nowSec = T1): JobExecution =>
  accepted(applyServiceTransition(exec, to, nowSec, { force }));

/** Every reachable starting point, built through the public API as the service would. */
type From = JobExecutionStatus | 'CANCELED (forced)';
function inState(from: From): JobExecution {
  const q = queued();
  const running = update(q, { status: 'IN_PROGRESS' }, T0 + 1);
  switch (from) {
    case 'QUEUED':
      return q;
    case 'IN_PROGRESS':
      return running;
    case 'SUCCEEDED':
    case 'FAILED':
    case 'REJECTED':
      return update(running, { status: from }, T0 + 2);
    case 'TIMED_OUT':
      return service(running, 'TIMED_OUT', false, T0 + 2);
    case 'REMOVED':
      return service(q, 'REMOVED', false, T0 + 2);
    case 'CANCELED':
      return service(q, 'CANCELED', false, T0 + 2);
    case 'CANCELED (forced)':
      return service(running, 'CANCELED', true, T0 + 2);
  }
}

const FROM_STATES: readonly From[] = [...JOB_EXECUTION_STATUSES, 'CANCELED (forced)'];

type Outcome = 'accepted' | JobsErrorCode;
const IST = 'InvalidStateTransition';
const IR = 'InvalidRequest';

// Requested status → outcome, written out rather than derived from the implementation's predicates.
const FROM_PENDING: Record<string, Outcome> = {
  QUEUED: IST,
  IN_PROGRESS: 'accepted',
  SUCCEEDED: 'accepted',
  FAILED: 'accepted',
  REJECTED: 'accepted',
  TIMED_OUT: IR,
  REMOVED: IR,
  CANCELED: IR,
  '': IR,
  in_progress: IR,
  DONE: IR,
};
// Request validation precedes the terminal check, so service-only and unknown statuses stay IR.
const FROM_TERMINAL: Record<string, Outcome> = {
  QUEUED: IST,
  IN_PROGRESS: IST,
  SUCCEEDED: IST,
  FAILED: IST,
  REJECTED: IST,
  TIMED_OUT: IR,
  REMOVED: IR,
  CANCELED: IR,
  '': IR,
  in_progress: IR,
  DONE: IR,
};

const deviceTable = FROM_STATES.flatMap((from) => {
  const row = from === 'QUEUED' || from === 'IN_PROGRESS' ? FROM_PENDING : FROM_TERMINAL;
  return Object.entries(row).map(([requested, outcome]) => ({ from, requested, outcome }));
});

describe('status sets', () => {
  it('lists the eight statuses', () => {
    expect(JOB_EXECUTION_STATUSES).toEqual([
      'QUEUED',
      'IN_PROGRESS',
      'SUCCEEDED',
      'FAILED',
      'REJECTED',
      'TIMED_OUT',
      'REMOVED',
      'CANCELED',
    ]);
  });

  it.each([
    ['QUEUED', false, false],
    ['IN_PROGRESS', false, false],
    ['SUCCEEDED', true, false],
    ['FAILED', true, true],
    ['REJECTED', true, false],
    ['TIMED_OUT', true, true],
    ['REMOVED', true, false],
    ['CANCELED', true, false],
  ] as const)('%s: terminal=%s retryable=%s', (status, terminal, retryable) => {
    expect(isTerminal(status)).toBe(terminal);
    expect(isRetryable(status)).toBe(retryable);
  });

  it('device may set exactly IN_PROGRESS, SUCCEEDED, FAILED, REJECTED', () => {
    expect([...DEVICE_SETTABLE]).toEqual(['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED']);
    expect(JOB_EXECUTION_STATUSES.filter(isDeviceSettable)).toEqual([...DEVICE_SETTABLE]);
  });

  it('recognises statuses case-sensitively', () => {
    expect(isJobExecutionStatus('QUEUED')).toBe(true);
    expect(isJobExecutionStatus('queued')).toBe(false);
    expect(isJobExecutionStatus('toString')).toBe(false);
  });
});

describe('newExecution', () => {
  it('starts QUEUED at version 1 with no startedAt', () => {
    const e = newExecution({ jobId: 'j', thingName: 't', executionNumber: 2, retryAttempt: 1, nowSec: T0 });
    expect(e).toEqual({
      jobId: 'j',
      thingName: 't',
      executionNumber: 2,
      status: 'QUEUED',
      statusDetails: {},
      queuedAt: T0,
      lastUpdatedAt: T0,
      versionNumber: 1,
      retryAttempt: 1,
    });
    expect('startedAt' in e).toBe(false);
  });
});

describe('device update transition table', () => {
  it.each(deviceTable)('$from + device $requested → $outcome', ({ from, requested, outcome }) => {
    const before = inState(from);
    const snapshot = structuredClone(before);
    const r = applyDeviceUpdate(before, { status: requested }, T3);
    expect(before).toEqual(snapshot); // input never mutated

    if (outcome === 'accepted') {
      const next = accepted(r);
      expect(next.status).toBe(requested);
      expect(next.versionNumber).toBe(before.versionNumber + 1);
      expect(next.lastUpdatedAt).toBe(T3);
      return;
    }
    const e = rejected(r);
    expect(e.code).toBe(outcome);
    if (outcome === IST) expect(e.executionState).toEqual(executionState(before));
    else expect(e.executionState).toBeUndefined();
  });
});

// from × to × force → accepted or InvalidStateTransition.
const SERVICE_PENDING: Record<string, Record<ServiceStatus, [Outcome, Outcome]>> = {
  //            [without force, with force]
  QUEUED: { CANCELED: ['accepted', 'accepted'], TIMED_OUT: [IST, IST], REMOVED: ['accepted', 'accepted'] },
  IN_PROGRESS: { CANCELED: [IST, 'accepted'], TIMED_OUT: ['accepted', 'accepted'], REMOVED: ['accepted', 'accepted'] },
};
const serviceTable = FROM_STATES.flatMap((from) =>
  (['CANCELED', 'TIMED_OUT', 'REMOVED'] as const).flatMap((to) =>
    [false, true].map((force) => {
      const row = SERVICE_PENDING[from];
      const outcome: Outcome = row === undefined ? IST : row[to][force ? 1 : 0];
      return { from, to, force, outcome };
    }),
  ),
);

describe('service transition table', () => {
  it.each(serviceTable)('$from → $to (force=$force) → $outcome', ({ from, to, force, outcome }) => {
    const before = inState(from);
    const snapshot = structuredClone(before);
    const r = applyServiceTransition(before, to, T3, { force });
    expect(before).toEqual(snapshot);

    if (outcome === 'accepted') {
      const next = accepted(r);
      expect(next.status).toBe(to);
      expect(next.versionNumber).toBe(before.versionNumber + 1);
      expect(next.lastUpdatedAt).toBe(T3);
      expect(next.forceCanceled).toBe(to === 'CANCELED' && force ? true : undefined);
      return;
    }
    const e = rejected(r);
    expect(e.code).toBe(IST);
    expect(e.executionState).toEqual(executionState(before));
  });
});

describe('versions and timestamps', () => {
  it('QUEUED → IN_PROGRESS sets startedAt; further progress reports keep it and bump the version', () => {
    const a = update(queued(), { status: 'IN_PROGRESS' }, T1);
    expect(a).toMatchObject({ status: 'IN_PROGRESS', startedAt: T1, lastUpdatedAt: T1, versionNumber: 2, queuedAt: T0 });
    const b = update(a, { status: 'IN_PROGRESS' }, T2);
    expect(b).toMatchObject({ startedAt: T1, lastUpdatedAt: T2, versionNumber: 3 });
    const c = update(b, { status: 'SUCCEEDED' }, T3);
    expect(c).toMatchObject({ status: 'SUCCEEDED', startedAt: T1, lastUpdatedAt: T3, versionNumber: 4 });
  });

  it('QUEUED straight to a terminal status leaves startedAt absent', () => {
    const e = update(queued(), { status: 'REJECTED' }, T1);
    expect(e.status).toBe('REJECTED');
    expect('startedAt' in e).toBe(false);
  });

  it('keeps identity fields untouched', () => {
    const e = update(queued(), { status: 'IN_PROGRESS' });
    expect(e).toMatchObject({ jobId: 'ChangeTempUnit', thingName: 'device-022', executionNumber: 1, retryAttempt: 0, queuedAt: T0 });
  });
});

describe('statusDetails on update', () => {
  it('given replaces the stored map', () => {
    const a = update(queued(), { status: 'IN_PROGRESS', statusDetails: { step: 'download', progress: '10%' } });
    const b = update(a, { status: 'IN_PROGRESS', statusDetails: { progress: '50%' } });
    expect(b.statusDetails).toEqual({ progress: '50%' });
  });

  it('omitted leaves it; an empty map clears it', () => {
    const a = update(queued(), { status: 'IN_PROGRESS', statusDetails: { step: 'download' } });
    expect(update(a, { status: 'IN_PROGRESS' }).statusDetails).toEqual({ step: 'download' });
    expect(update(a, { status: 'SUCCEEDED', statusDetails: {} }).statusDetails).toEqual({});
  });

  it('stores a copy, not the request object', () => {
    const details = { step: 'download' };
    const a = update(queued(), { status: 'IN_PROGRESS', statusDetails: details });
    details.step = 'changed';
    expect(a.statusDetails).toEqual({ step: 'download' });
  });

  it('invalid details → InvalidRequest and nothing changes', () => {
    const e = rejected(applyDeviceUpdate(queued(), { status: 'IN_PROGRESS', statusDetails: { 'bad key': 'x' } }, T1));
    expect(e.code).toBe(IR);
    expect(e.executionState).toBeUndefined();
  });
});

describe('step timeout', () => {
  const running = () => update(queued(), { status: 'IN_PROGRESS' }, T0);

  it('sets stepTimeoutAt = now + 60·m, including on the QUEUED → IN_PROGRESS update', () => {
    expect(update(queued(), { status: 'IN_PROGRESS', stepTimeoutInMinutes: 7 }, T1).stepTimeoutAt).toBe(T1 + 420);
  });

  it('a new step timer replaces the old one, from the new request time', () => {
    const a = update(running(), { status: 'IN_PROGRESS', stepTimeoutInMinutes: 7 }, T1);
    const b = update(a, { status: 'IN_PROGRESS', stepTimeoutInMinutes: 5 }, T2);
    expect(b.stepTimeoutAt).toBe(T2 + 300);
  });

  it('omitted keeps the running timer', () => {
    const a = update(running(), { status: 'IN_PROGRESS', stepTimeoutInMinutes: 7 }, T1);
    expect(update(a, { status: 'IN_PROGRESS' }, T2).stepTimeoutAt).toBe(T1 + 420);
  });

  it('−1 cancels it', () => {
    const a = update(running(), { status: 'IN_PROGRESS', stepTimeoutInMinutes: 7 }, T1);
    const b = update(a, { status: 'IN_PROGRESS', stepTimeoutInMinutes: -1 }, T2);
    expect('stepTimeoutAt' in b).toBe(false);
    expect('stepTimeoutAt' in update(running(), { status: 'IN_PROGRESS', stepTimeoutInMinutes: -1 })).toBe(false);
  });

  it.each([1, 10080])('accepts the bound %i', (m) => {
    expect(update(running(), { status: 'IN_PROGRESS', stepTimeoutInMinutes: m }, T1).stepTimeoutAt).toBe(T1 + 60 * m);
  });

  it.each([0, -2, 10081, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects %d as InvalidRequest', (m) => {
    const e = rejected(applyDeviceUpdate(running(), { status: 'IN_PROGRESS', stepTimeoutInMinutes: m }, T1));
    expect(e.code).toBe(IR);
  });

  it.each(['SUCCEEDED', 'FAILED', 'REJECTED'])('device terminal status %s clears it, even when the request sets one', (status) => {
    const a = update(running(), { status: 'IN_PROGRESS', stepTimeoutInMinutes: 7 }, T1);
    expect('stepTimeoutAt' in update(a, { status }, T2)).toBe(false);
    expect('stepTimeoutAt' in update(a, { status, stepTimeoutInMinutes: 5 }, T2)).toBe(false);
  });

  it.each([
    ['TIMED_OUT', false],
    ['REMOVED', false],
    ['CANCELED', true],
  ] as const)('service transition to %s clears it', (to, force) => {
    const a = update(running(), { status: 'IN_PROGRESS', stepTimeoutInMinutes: 7 }, T1);
    expect('stepTimeoutAt' in service(a, to, force, T2)).toBe(false);
  });
});

describe('expectedVersion', () => {
  it('matching version is accepted', () => {
    expect(update(queued(), { status: 'IN_PROGRESS', expectedVersion: 1 }).versionNumber).toBe(2);
  });

  it('mismatch → VersionMismatch carrying the current executionState', () => {
    const a = update(queued(), { status: 'IN_PROGRESS', statusDetails: { step: 'download' } });
    const e = rejected(applyDeviceUpdate(a, { status: 'SUCCEEDED', expectedVersion: 1 }, T2));
    expect(e.code).toBe('VersionMismatch');
    expect(e.executionState).toEqual({ status: 'IN_PROGRESS', statusDetails: { step: 'download' }, versionNumber: 2 });
  });

  it.each([-1, 1.5, Number.NaN])('non-integer or negative %d → InvalidRequest', (v) => {
    expect(rejected(applyDeviceUpdate(queued(), { status: 'IN_PROGRESS', expectedVersion: v }, T1)).code).toBe(IR);
  });

  it('executionState is a copy', () => {
    const a = update(queued(), { status: 'IN_PROGRESS', statusDetails: { step: 'download' } });
    const e = rejected(applyDeviceUpdate(a, { status: 'SUCCEEDED', expectedVersion: 9 }, T2));
    expect(e.executionState?.statusDetails).not.toBe(a.statusDetails);
  });
});

describe('order of checks', () => {
  it('terminal beats a stale expectedVersion (force-cancel then the device reports, §10 #37)', () => {
    const running = update(queued(), { status: 'IN_PROGRESS' }, T1); // v2
    const canceled = service(running, 'CANCELED', true, T2); // v3
    expect(canceled.forceCanceled).toBe(true);
    const e = rejected(applyDeviceUpdate(canceled, { status: 'SUCCEEDED', expectedVersion: 2 }, T3));
    expect(e.code).toBe(IST);
    expect(e.executionState).toEqual({ status: 'CANCELED', statusDetails: {}, versionNumber: 3 });
  });

  it('requesting QUEUED beats a stale expectedVersion', () => {
    expect(rejected(applyDeviceUpdate(queued(), { status: 'QUEUED', expectedVersion: 7 }, T1)).code).toBe(IST);
  });

  it('a malformed request is InvalidRequest whatever the state or version', () => {
    const done = inState('SUCCEEDED');
    expect(rejected(applyDeviceUpdate(done, { status: 'CANCELED', expectedVersion: 1 }, T3)).code).toBe(IR);
    expect(rejected(applyDeviceUpdate(done, { status: 'SUCCEEDED', stepTimeoutInMinutes: 0 }, T3)).code).toBe(IR);
    expect(rejected(applyDeviceUpdate(done, { status: 'SUCCEEDED', statusDetails: { k: '' } }, T3)).code).toBe(IR);
  });

  it('a non-forced cancel leaves IN_PROGRESS completable (§10 #36)', () => {
    const running = update(queued(), { status: 'IN_PROGRESS' }, T1);
    expect(applyServiceTransition(running, 'CANCELED', T2).ok).toBe(false);
    expect(update(running, { status: 'SUCCEEDED', expectedVersion: 2 }, T3).status).toBe('SUCCEEDED');
  });
});

describe('applyServiceTransition details', () => {
  it('force on a QUEUED cancel is recorded as forceCanceled', () => {
    expect(service(queued(), 'CANCELED', true).forceCanceled).toBe(true);
    expect('forceCanceled' in service(queued(), 'CANCELED', false)).toBe(false);
  });

  it('statusDetails option replaces the map; omitted keeps it', () => {
    const a = update(queued(), { status: 'IN_PROGRESS', statusDetails: { step: 'download' } });
    expect(accepted(applyServiceTransition(a, 'REMOVED', T2)).statusDetails).toEqual({ step: 'download' });
    const c = accepted(applyServiceTransition(a, 'CANCELED', T2, { force: true, statusDetails: { reason: 'operator' } }));
    expect(c.statusDetails).toEqual({ reason: 'operator' });
  });
});

describe('validateStatusDetails', () => {
  const bad = (v: unknown, opts?: { maxEntries?: number }) => {
    const r = validateStatusDetails(v, opts);
    return !r.ok && r.error.code === 'InvalidRequest' && r.error.executionState === undefined;
  };

  it('accepts a valid map and returns a copy', () => {
    const input = { step: 'download', 'a:b_c-9': '50%' };
    const r = validateStatusDetails(input);
    expect(r).toEqual({ ok: true, value: input });
    if (r.ok) expect(r.value).not.toBe(input);
  });

  it('accepts the empty map', () => {
    expect(validateStatusDetails({})).toEqual({ ok: true, value: {} });
  });

  it.each([null, undefined, 'x', 3, ['a'], true])('rejects non-object %j', (v) => {
    expect(bad(v)).toBe(true);
  });

  it('key length 1–128 of [a-zA-Z0-9:_-]', () => {
    expect(validateStatusDetails({ ['k'.repeat(128)]: 'v' }).ok).toBe(true);
    expect(bad({ ['k'.repeat(129)]: 'v' })).toBe(true);
    expect(bad({ '': 'v' })).toBe(true);
    for (const key of ['a b', 'a.b', 'a/b', 'é', 'a$']) expect(bad({ [key]: 'v' })).toBe(true);
  });

  it('value: non-empty string up to 1024 code points', () => {
    expect(validateStatusDetails({ k: 'v'.repeat(1024) }).ok).toBe(true);
    expect(bad({ k: 'v'.repeat(1025) })).toBe(true);
    expect(bad({ k: '' })).toBe(true);
    expect(validateStatusDetails({ k: '😀'.repeat(1024) }).ok).toBe(true); // 2048 UTF-16 units
    for (const v of [1, true, null, {}, ['a']]) expect(bad({ k: v })).toBe(true);
  });

  it.each(['a\nb', 'a\u0000', '\t', 'x\u007f', 'x\u0085'])('rejects control characters in %j', (v) => {
    expect(bad({ k: v })).toBe(true);
  });

  it('allows non-control Unicode such as spaces and accents', () => {
    expect(validateStatusDetails({ k: 'téléchargement 50 %' }).ok).toBe(true);
  });

  it('entry limit only when asked (device API: none; control plane: 10)', () => {
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v']));
    expect(validateStatusDetails(eleven).ok).toBe(true);
    expect(validateStatusDetails(ten, { maxEntries: CONTROL_PLANE_STATUS_DETAILS_MAX_ENTRIES }).ok).toBe(true);
    expect(bad(eleven, { maxEntries: CONTROL_PLANE_STATUS_DETAILS_MAX_ENTRIES })).toBe(true);
  });

  it('keeps a "__proto__" key as plain data', () => {
    const parsed: unknown = JSON.parse('{"__proto__":"x"}');
    const r = validateStatusDetails(parsed);
    if (!r.ok) throw new Error('rejected');
    expect(Object.keys(r.value)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(r.value)).toBe(Object.prototype);
  });
});

describe('properties', () => {
  const statusArb = fc.constantFrom<string>(...JOB_EXECUTION_STATUSES, 'BOGUS');
  const op = fc.oneof(
    fc.record(
      {
        kind: fc.constant('device' as const),
        status: statusArb,
        statusDetails: fc.dictionary(fc.constantFrom('step', 'progress', 'bad key'), fc.constantFrom('a', '50%', '')),
        expectedVersionOffset: fc.integer({ min: -1, max: 1 }),
        stepTimeoutInMinutes: fc.constantFrom(-1, 0, 1, 7, 10080, 10081),
      },
      { requiredKeys: ['kind', 'status'] },
    ),
    fc.record({
      kind: fc.constant('service' as const),
      to: fc.constantFrom<ServiceStatus>('CANCELED', 'TIMED_OUT', 'REMOVED'),
      force: fc.boolean(),
    }),
  );
  const steps = fc.array(fc.tuple(op, fc.integer({ min: 0, max: 3600 })), { maxLength: 30 });

  it('versions strictly increase by 1 per accepted change; rejects change nothing; terminal is frozen', () => {
    fc.assert(
      fc.property(steps, (ops) => {
        let exec = queued();
        let now = T0;
        for (const [o, dt] of ops) {
          now += dt;
          const r =
            o.kind === 'device'
              ? applyDeviceUpdate(
                  exec,
                  {
                    status: o.status,
                    statusDetails: o.statusDetails,
                    expectedVersion: o.expectedVersionOffset === undefined ? undefined : exec.versionNumber + o.expectedVersionOffset,
                    stepTimeoutInMinutes: o.stepTimeoutInMinutes,
                  },
                  now,
                )
              : applyServiceTransition(exec, o.to, now, { force: o.force });
          if (isTerminal(exec.status)) expect(r.ok).toBe(false);
          if (!r.ok) continue;
          const next = r.value;
          expect(next.versionNumber).toBe(exec.versionNumber + 1);
          expect(next.lastUpdatedAt).toBe(now);
          expect(next.queuedAt).toBe(T0);
          if (exec.startedAt !== undefined) expect(next.startedAt).toBe(exec.startedAt);
          if (isTerminal(next.status)) expect(next.stepTimeoutAt).toBeUndefined();
          expect(JSON.parse(JSON.stringify(next))).toEqual(next); // serialisable as JSON
          exec = next;
        }
      }),
    );
  });
});
