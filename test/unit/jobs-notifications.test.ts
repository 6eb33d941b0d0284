import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  applyDeviceUpdate,
  applyServiceTransition,
  newExecution,
  type JobExecution,
} from '../../src/cloud/jobs/executions.js';
import {
  executionSummary,
  getPendingAccepted,
  notificationsFor,
  notifyNextPayload,
  notifyPayload,
  pendingList,
  PENDING_LIST_MAX_ENTRIES,
} from '../../src/cloud/jobs/notifications.js';

const THING = 'device-022';
const T0 = 1_767_225_600;

function unwrap(r: ReturnType<typeof applyDeviceUpdate>): JobExecution {
  if (!r.ok) throw new Error(`rejected: ${r.error.code} ${r.error.message}`);
  return r.value;
}

const queued = (jobId: string, queuedAt: number, executionNumber = 1): JobExecution =>
  newExecution({ jobId, thingName: THING, executionNumber, retryAttempt: executionNumber - 1, nowSec: queuedAt });
const start = (e: JobExecution, t: number, statusDetails?: Record<string, string>): JobExecution =>
  unwrap(applyDeviceUpdate(e, { status: 'IN_PROGRESS', ...(statusDetails ? { statusDetails } : {}) }, t));
const succeed = (e: JobExecution, t: number): JobExecution => unwrap(applyDeviceUpdate(e, { status: 'SUCCEEDED' }, t));
const fail = (e: JobExecution, t: number): JobExecution => unwrap(applyDeviceUpdate(e, { status: 'FAILED' }, t));
const cancel = (e: JobExecution, t: number): JobExecution =>
  unwrap(applyServiceTransition(e, 'CANCELED', t, { force: true }));

/** Replaces the execution with the same (jobId, executionNumber), keeping list order. */
const replace = (list: readonly JobExecution[], next: JobExecution): JobExecution[] =>
  list.map((e) => (e.jobId === next.jobId && e.executionNumber === next.executionNumber ? next : e));

const ids = (list: readonly JobExecution[]): string[] => list.map((e) => `${e.jobId}#${e.executionNumber}`);

const NEITHER = { notify: false, notifyNext: false };
const BOTH = { notify: true, notifyNext: true };
const NOTIFY_ONLY = { notify: true, notifyNext: false };
const NEXT_ONLY = { notify: false, notifyNext: true };

describe('pendingList', () => {
  it('keeps only QUEUED and IN_PROGRESS, IN_PROGRESS first, then by queuedAt', () => {
    const a = queued('a', T0 + 30);
    const b = start(queued('b', T0 + 20), T0 + 40);
    const c = queued('c', T0 + 10);
    const d = succeed(start(queued('d', T0), T0 + 1), T0 + 2);
    const e = start(queued('e', T0 + 5), T0 + 50);
    const f = cancel(queued('f', T0 + 1), T0 + 3);
    expect(ids(pendingList([a, b, c, d, e, f]))).toEqual(['e#1', 'b#1', 'c#1', 'a#1']);
  });

  it('breaks queuedAt ties by input order (creation order) and leaves the input untouched', () => {
    const input = [queued('z', T0), queued('y', T0), queued('x', T0)];
    expect(ids(pendingList(input))).toEqual(['z#1', 'y#1', 'x#1']);
    expect(ids(pendingList([...input].reverse()))).toEqual(['x#1', 'y#1', 'z#1']);
    expect(ids(input)).toEqual(['z#1', 'y#1', 'x#1']);
  });

  it('treats a retry as its own execution (executionNumber)', () => {
    const first = fail(start(queued('a', T0), T0 + 1), T0 + 2);
    const retry = queued('a', T0 + 3, 2);
    expect(ids(pendingList([first, retry]))).toEqual(['a#2']);
  });

  it('is empty for no executions or only terminal ones', () => {
    expect(pendingList([])).toEqual([]);
    expect(pendingList([succeed(queued('a', T0), T0 + 1)])).toEqual([]);
  });
});

describe('executionSummary', () => {
  it('omits startedAt while QUEUED', () => {
    const s = executionSummary(queued('a', T0));
    expect(s).toStrictEqual({ jobId: 'a', queuedAt: T0, lastUpdatedAt: T0, versionNumber: 1, executionNumber: 1 });
    expect('startedAt' in s).toBe(false);
  });

  it('has exactly the summary fields once started', () => {
    const s = executionSummary(start(queued('a', T0), T0 + 61, { step: 'download' }));
    expect(JSON.stringify(s)).toBe(
      `{"jobId":"a","queuedAt":${T0},"startedAt":${T0 + 61},"lastUpdatedAt":${T0 + 61},"versionNumber":2,"executionNumber":1}`,
    );
  });
});

describe('getPendingAccepted (§1.3 get)', () => {
  it('nothing pending → empty lists (§10 #3)', () => {
    expect(getPendingAccepted([], T0 + 9)).toStrictEqual({ inProgressJobs: [], queuedJobs: [], timestamp: T0 + 9 });
  });

  it('splits IN_PROGRESS/QUEUED, each by queuedAt, never terminal (§10 #4)', () => {
    const list = [
      queued('q2', T0 + 20),
      start(queued('p2', T0 + 15), T0 + 30),
      queued('q1', T0 + 10),
      start(queued('p1', T0 + 5), T0 + 31),
      succeed(queued('done', T0), T0 + 1),
    ];
    const body = getPendingAccepted(list, T0 + 99);
    expect(body.inProgressJobs.map((s) => s.jobId)).toEqual(['p1', 'p2']);
    expect(body.queuedJobs.map((s) => s.jobId)).toEqual(['q1', 'q2']);
    expect(body.inProgressJobs[0]).toStrictEqual(executionSummary(list[3]!));
    expect(body.timestamp).toBe(T0 + 99);
  });

  it('echoes clientToken byte-for-byte and omits it when not sent (§10 #1)', () => {
    const token = 'c1-ü-\u{1F600}';
    expect(getPendingAccepted([], T0, token).clientToken).toBe(token);
    expect(getPendingAccepted([], T0, '').clientToken).toBe('');
    expect('clientToken' in getPendingAccepted([], T0)).toBe(false);
    expect(JSON.stringify(getPendingAccepted([], T0, 'c1'))).toBe(
      `{"inProgressJobs":[],"queuedJobs":[],"timestamp":${T0},"clientToken":"c1"}`,
    );
  });

  it('caps each list at 10 entries, keeping the oldest', () => {
    const list: JobExecution[] = [];
    for (let i = 0; i < 12; i++) list.push(queued(`q${i}`, T0 + 100 - i));
    for (let i = 0; i < 11; i++) list.push(start(queued(`p${i}`, T0 + i), T0 + 200));
    const body = getPendingAccepted(list, T0);
    expect(PENDING_LIST_MAX_ENTRIES).toBe(10);
    expect(body.queuedJobs.map((s) => s.jobId)).toEqual(
      Array.from({ length: 10 }, (_, i) => `q${11 - i}`),
    );
    expect(body.inProgressJobs.map((s) => s.jobId)).toEqual(Array.from({ length: 10 }, (_, i) => `p${i}`));
  });
});

describe('notifyPayload (§1.5)', () => {
  it('empty pending list → "jobs":{}', () => {
    expect(JSON.stringify(notifyPayload([], T0))).toBe(`{"timestamp":${T0},"jobs":{}}`);
  });

  it('has keys only for non-empty statuses', () => {
    const onlyQueued = notifyPayload(pendingList([queued('a', T0)]), T0 + 1);
    expect(onlyQueued).toStrictEqual({ timestamp: T0 + 1, jobs: { QUEUED: [executionSummary(queued('a', T0))] } });
    expect('IN_PROGRESS' in onlyQueued.jobs).toBe(false);

    const ip = start(queued('b', T0), T0 + 2);
    const onlyInProgress = notifyPayload(pendingList([ip]), T0 + 3);
    expect(onlyInProgress).toStrictEqual({ timestamp: T0 + 3, jobs: { IN_PROGRESS: [executionSummary(ip)] } });
  });

  it('lists both statuses in pending order and caps each at 10', () => {
    const list: JobExecution[] = [];
    for (let i = 0; i < 11; i++) list.push(queued(`q${i}`, T0 + i));
    for (let i = 0; i < 12; i++) list.push(start(queued(`p${i}`, T0 + 50 - i), T0 + 100));
    const body = notifyPayload(pendingList(list), T0 + 101);
    expect(body.jobs.QUEUED?.map((s) => s.jobId)).toEqual(Array.from({ length: 10 }, (_, i) => `q${i}`));
    expect(body.jobs.IN_PROGRESS?.map((s) => s.jobId)).toEqual(Array.from({ length: 10 }, (_, i) => `p${11 - i}`));
  });
});

describe('notifyNextPayload (§1.5)', () => {
  it('nothing pending → only timestamp, no execution key', () => {
    const body = notifyNextPayload(undefined, T0);
    expect(JSON.stringify(body)).toBe(`{"timestamp":${T0}}`);
    expect('execution' in body).toBe(false);
  });

  it('carries the full execution with the jobDocument object, as in the §1.3 start-next example', () => {
    const exec = start(queued('ChangeTempUnit', 1767225600), 1767225661, { step: 'download' });
    const jobDocument = { tempUnit: 'celsius', ledColor: 'green' };
    expect(JSON.stringify(notifyNextPayload({ execution: exec, jobDocument }, 1767225661))).toBe(
      '{"timestamp":1767225661,"execution":{"jobId":"ChangeTempUnit","thingName":"device-022","status":"IN_PROGRESS",' +
        '"statusDetails":{"step":"download"},"queuedAt":1767225600,"startedAt":1767225661,' +
        '"lastUpdatedAt":1767225661,"versionNumber":2,"executionNumber":1,' +
        '"jobDocument":{"tempUnit":"celsius","ledColor":"green"}}}',
    );
  });

  it('omits startedAt for a QUEUED head and never shares statusDetails with stored state', () => {
    const exec = queued('a', T0);
    const body = notifyNextPayload({ execution: exec, jobDocument: {} }, T0);
    expect(body.execution).toBeDefined();
    expect('startedAt' in body.execution!).toBe(false);
    expect(body.execution!.statusDetails).not.toBe(exec.statusDetails);
    expect('retryAttempt' in body.execution!).toBe(false);
  });
});

describe('notificationsFor: §1.5 table rows', () => {
  it('new QUEUED execution that becomes head → notify + notify-next', () => {
    const after = [queued('a', T0)];
    expect(notificationsFor([], after)).toEqual(BOTH);
  });

  it('new QUEUED execution, not head → notify only', () => {
    const before = [queued('a', T0)];
    expect(notificationsFor(before, [...before, queued('b', T0 + 1)])).toEqual(NOTIFY_ONLY);
  });

  it('head QUEUED→IN_PROGRESS → neither', () => {
    const a = queued('a', T0);
    const before = [a, queued('b', T0 + 1)];
    expect(notificationsFor(before, replace(before, start(a, T0 + 2)))).toEqual(NEITHER);
  });

  it('non-head QUEUED→IN_PROGRESS that becomes head → notify-next only', () => {
    const b = queued('b', T0 + 1);
    const before = [queued('a', T0), b];
    const after = replace(before, start(b, T0 + 2));
    expect(pendingList(after)[0]?.jobId).toBe('b');
    expect(notificationsFor(before, after)).toEqual(NEXT_ONLY);
  });

  it('non-head QUEUED→IN_PROGRESS behind an older IN_PROGRESS head → neither', () => {
    const c = queued('c', T0 + 2);
    const before = [start(queued('a', T0), T0 + 3), queued('b', T0 + 1), c];
    expect(notificationsFor(before, replace(before, start(c, T0 + 4)))).toEqual(NEITHER);
  });

  it('IN_PROGRESS progress update → neither (head or not)', () => {
    const a = start(queued('a', T0), T0 + 2);
    const b = start(queued('b', T0 + 1), T0 + 3);
    const before = [a, b];
    expect(notificationsFor(before, replace(before, start(a, T0 + 4, { progress: '50%' })))).toEqual(NEITHER);
    expect(notificationsFor(before, replace(before, start(b, T0 + 4, { progress: '50%' })))).toEqual(NEITHER);
  });

  it('head → terminal → notify + notify-next (new head or empty)', () => {
    const a = start(queued('a', T0), T0 + 1);
    const before = [a, queued('b', T0 + 1)];
    expect(notificationsFor(before, replace(before, succeed(a, T0 + 2)))).toEqual(BOTH);
    expect(notificationsFor([a], [cancel(a, T0 + 2)])).toEqual(BOTH);
  });

  it('non-head → terminal → notify only', () => {
    const b = queued('b', T0 + 1);
    const before = [queued('a', T0), b];
    expect(notificationsFor(before, replace(before, cancel(b, T0 + 2)))).toEqual(NOTIFY_ONLY);
  });

  it('deleted pending execution → notify, notify-next only if it was head', () => {
    const a = queued('a', T0);
    const b = queued('b', T0 + 1);
    expect(notificationsFor([a, b], [b])).toEqual(BOTH);
    expect(notificationsFor([a, b], [a])).toEqual(NOTIFY_ONLY);
  });

  it('changes to terminal executions only → neither', () => {
    const done = succeed(queued('a', T0), T0 + 1);
    const p = queued('b', T0 + 2);
    expect(notificationsFor([done, p], [p])).toEqual(NEITHER);
    expect(notificationsFor([p], [p, done])).toEqual(NEITHER);
  });

  it('retry replacing a FAILED head with a new QUEUED execution of the same job → both', () => {
    const a1 = start(queued('a', T0), T0 + 1);
    const b = queued('b', T0 + 1);
    const after = [fail(a1, T0 + 5), b, queued('a', T0 + 5, 2)];
    expect(notificationsFor([a1, b], after)).toEqual(BOTH);
  });
});

describe('notificationsFor + payloads: §10 checklist #20–25', () => {
  const doc = { operation: 'noop' };

  it('#20 first execution → notify and notify-next (QUEUED, versionNumber 1, executionNumber 1)', () => {
    const after = [queued('a', T0)];
    expect(notificationsFor([], after)).toEqual(BOTH);
    const pending = pendingList(after);
    expect(notifyPayload(pending, T0).jobs).toStrictEqual({ QUEUED: [executionSummary(after[0]!)] });
    const next = notifyNextPayload({ execution: pending[0]!, jobDocument: doc }, T0);
    expect(next.execution).toMatchObject({ jobId: 'a', status: 'QUEUED', versionNumber: 1, executionNumber: 1 });
    expect(next.execution?.jobDocument).toEqual(doc);
  });

  it('#21 second QUEUED execution → notify listing both, no notify-next', () => {
    const before = [queued('a', T0)];
    const after = [...before, queued('b', T0 + 1)];
    expect(notificationsFor(before, after)).toEqual(NOTIFY_ONLY);
    expect(notifyPayload(pendingList(after), T0 + 1).jobs.QUEUED?.map((s) => s.jobId)).toEqual(['a', 'b']);
  });

  it('#22 head QUEUED→IN_PROGRESS → neither', () => {
    const a = queued('a', T0);
    expect(notificationsFor([a], [start(a, T0 + 1)])).toEqual(NEITHER);
  });

  it('#23 head turning terminal → notify without it, notify-next with the new head', () => {
    const a = start(queued('a', T0), T0 + 1);
    const before = [a, queued('b', T0 + 1)];
    const after = replace(before, succeed(a, T0 + 2));
    expect(notificationsFor(before, after)).toEqual(BOTH);
    const pending = pendingList(after);
    expect(notifyPayload(pending, T0 + 2).jobs).toStrictEqual({ QUEUED: [executionSummary(before[1]!)] });
    expect(notifyNextPayload({ execution: pending[0]!, jobDocument: doc }, T0 + 2).execution?.jobId).toBe('b');
  });

  it('#24 last pending execution terminal → "jobs":{} and notify-next without execution', () => {
    const a = start(queued('a', T0), T0 + 1);
    const after = [succeed(a, T0 + 2)];
    expect(notificationsFor([a], after)).toEqual(BOTH);
    const pending = pendingList(after);
    expect(JSON.stringify(notifyPayload(pending, T0 + 2))).toBe(`{"timestamp":${T0 + 2},"jobs":{}}`);
    expect(pending[0]).toBeUndefined();
    expect(JSON.stringify(notifyNextPayload(undefined, T0 + 2))).toBe(`{"timestamp":${T0 + 2}}`);
  });

  it('#25 non-head QUEUED→IN_PROGRESS (no other IN_PROGRESS) → notify-next with it, no notify', () => {
    const b = queued('b', T0 + 1);
    const before = [queued('a', T0), b];
    const after = replace(before, start(b, T0 + 2));
    expect(notificationsFor(before, after)).toEqual(NEXT_ONLY);
    const head = pendingList(after)[0]!;
    expect(notifyNextPayload({ execution: head, jobDocument: doc }, T0 + 2).execution).toMatchObject({
      jobId: 'b',
      status: 'IN_PROGRESS',
      startedAt: T0 + 2,
      versionNumber: 2,
    });
  });
});

describe('notificationsFor property: agrees with the §1.5 table', () => {
  type Kind = 'Q' | 'P' | 'T';
  const arbState = fc.array(fc.record({ kind: fc.constantFrom<Kind>('Q', 'P', 'T'), queuedAt: fc.integer({ min: 0, max: 4 }) }), {
    maxLength: 7,
  });
  const arbChange = fc.record({
    op: fc.constantFrom('add', 'start', 'progress', 'terminal', 'delete'),
    pick: fc.nat(),
    addAt: fc.integer({ min: 0, max: 3 }),
  });

  function build(specs: readonly { kind: Kind; queuedAt: number }[]): JobExecution[] {
    return specs.map((s, i) => {
      const e = queued(`j${i}`, T0 + s.queuedAt);
      if (s.kind === 'Q') return e;
      const p = start(e, T0 + 10);
      return s.kind === 'P' ? p : succeed(p, T0 + 11);
    });
  }

  /** Head computed independently of pendingList: oldest IN_PROGRESS, else oldest QUEUED; ties → earlier index. */
  function naiveHead(list: readonly JobExecution[]): JobExecution | undefined {
    for (const status of ['IN_PROGRESS', 'QUEUED'] as const) {
      let best: JobExecution | undefined;
      for (const e of list) if (e.status === status && (best === undefined || e.queuedAt < best.queuedAt)) best = e;
      if (best !== undefined) return best;
    }
    return undefined;
  }

  it('new → notify (+next iff nothing was pending); start → next iff it overtakes; progress → neither; leave → notify (+next iff head)', () => {
    fc.assert(
      fc.property(arbState, arbChange, (specs, change) => {
        const before = build(specs);
        const head = naiveHead(before);
        const pending = before.filter((e) => e.status === 'QUEUED' || e.status === 'IN_PROGRESS');
        const maxQueued = Math.max(T0, ...before.map((e) => e.queuedAt));
        let after: JobExecution[];
        let expected: { notify: boolean; notifyNext: boolean };

        if (change.op === 'add') {
          // Queued now, i.e. no earlier than anything else: it is head only on an empty list.
          after = [...before, queued('new', maxQueued + change.addAt)];
          expected = { notify: true, notifyNext: head === undefined };
        } else if (change.op === 'start') {
          const candidates = before.filter((e) => e.status === 'QUEUED');
          const x = candidates[change.pick % Math.max(1, candidates.length)];
          if (x === undefined) return;
          after = replace(before, start(x, T0 + 20));
          const xi = before.indexOf(x);
          const overtakes = before.every(
            (e, i) => e.status !== 'IN_PROGRESS' || e.queuedAt > x.queuedAt || (e.queuedAt === x.queuedAt && i > xi),
          );
          expected = { notify: false, notifyNext: x !== head && overtakes };
        } else if (change.op === 'progress') {
          const candidates = before.filter((e) => e.status === 'IN_PROGRESS');
          const x = candidates[change.pick % Math.max(1, candidates.length)];
          if (x === undefined) return;
          after = replace(before, start(x, T0 + 20, { progress: String(change.pick) }));
          expected = NEITHER;
        } else {
          const x = pending[change.pick % Math.max(1, pending.length)];
          if (x === undefined) return;
          after =
            change.op === 'delete' ? before.filter((e) => e !== x) : replace(before, cancel(x, T0 + 20));
          expected = { notify: true, notifyNext: x === head };
        }

        expect(notificationsFor(before, after)).toEqual(expected);
        // And the head pendingList reports is the one $next would return.
        expect(pendingList(after)[0]).toBe(naiveHead(after));
      }),
      { numRuns: 500 },
    );
  });
});
