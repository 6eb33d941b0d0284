import { beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { selectHandler } from '../../src/device/handlers/index.js';
import { settingsChange } from '../../src/device/handlers/settings-change.js';
import { JobPhase } from '../../src/device/job-agent.js';
import { DeviceState } from '../../src/device/lifecycle.js';
import { RIG_THING, RIG_TELEMETRY_INTERVAL, RIG_JOB_STEP, RIG_RECONNECT_MAX, thermostatRig, type ThermostatRig } from '../helpers/thermostat-rig.js';

const THING = RIG_THING;
const S = `$aws/things/${THING}/shadow`;
const P = `$aws/things/${THING}/jobs`;
const TELEMETRY = `dt/acfleet/sao-paulo/${THING}/telemetry`;
const INTERVAL = RIG_TELEMETRY_INTERVAL;
const STEP = RIG_JOB_STEP;
const RECONNECT_MAX = RIG_RECONNECT_MAX;
/** The workshop's job_config.json (spec §11, seed 000). */
const WORKSHOP = { tempUnit: 'celsius', ledColor: 'green' };

type Rig = ThermostatRig;

const rig = thermostatRig;

type Body = Record<string, unknown>;

/** Connects; the shadow does not exist yet. */
function connect(r: Rig): void {
  if (r.device.state === DeviceState.Offline) r.device.start();
  r.conn.handler.onConnected();
  r.conn.deliver(`${S}/get/rejected`, { code: 404, message: 'No shadow exists' });
}

const bodies = (r: Rig, topic: string): Body[] => r.conn.published.filter((m) => m.topic === topic).map((m) => JSON.parse(m.payload) as Body);
const last = (r: Rig, topic: string): Body => {
  const b = bodies(r, topic).at(-1);
  if (!b) throw new Error(`nothing published on ${topic}`);
  return b;
};
const updates = (r: Rig, jobId: string): Body[] => bodies(r, `${P}/${jobId}/update`);
const startNexts = (r: Rig): number => r.conn.countOn(`${P}/start-next`);
const shadowReports = (r: Rig): Body[] => bodies(r, `${S}/update`).map((b) => (b.state as { reported: Body }).reported);

const execution = (jobId: string, jobDocument: unknown, versionNumber: number | string = 2): Body => ({
  jobId,
  thingName: THING,
  status: 'IN_PROGRESS',
  queuedAt: 1767225600,
  startedAt: 1767225661,
  lastUpdatedAt: 1767225661,
  versionNumber,
  executionNumber: 1,
  jobDocument,
});

/** The service answers the newest start-next, with `exec` or an empty queue. */
function answerStartNext(r: Rig, exec?: Body): void {
  const { clientToken } = last(r, `${P}/start-next`);
  r.conn.deliver(`${P}/start-next/accepted`, exec ? { execution: exec, timestamp: 1767225661, clientToken } : { timestamp: 1767225661, clientToken });
}

/** The service accepts (or rejects with `code`) the newest update of `jobId`. */
function answerUpdate(r: Rig, jobId: string, code?: string): void {
  const { clientToken } = last(r, `${P}/${jobId}/update`);
  if (code === undefined) r.conn.deliver(`${P}/${jobId}/update/accepted`, { timestamp: 1767225700, clientToken });
  else r.conn.deliver(`${P}/${jobId}/update/rejected`, { code, message: `test: ${code}`, timestamp: 1767225700, clientToken });
}

/** Runs `doc` as job `jobId` up to its IN_PROGRESS update, accepted. */
function startJob(r: Rig, jobId: string, doc: unknown, version: number | string = 2): void {
  answerStartNext(r, execution(jobId, doc, version));
  answerUpdate(r, jobId);
}

describe('JobAgent', () => {
  let r: Rig;
  beforeEach(() => {
    r = rig();
  });

  it('on connect subscribes to notify-next, start-next and update replies in one call, then sends start-next at QoS 1', () => {
    connect(r);
    expect(r.conn.subscriptions.slice(3)).toEqual([`${P}/notify-next`, `${P}/start-next/+`, `${P}/+/update/+`]);
    const sent = r.conn.published.filter((m) => m.topic === `${P}/start-next`);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.qos).toBe(1);
    expect(JSON.parse(sent[0]?.payload ?? '')).toEqual({ clientToken: expect.any(String) as string });
    expect(r.device.jobs.phase).toBe(JobPhase.Requesting);
  });

  it('runs the workshop job: LED blue, IN_PROGRESS, 5 s of simulated time, then celsius + green, SUCCEEDED and start-next', () => {
    connect(r);
    r.clock.advance(INTERVAL);
    const fahrenheit = r.conn.lastOn(TELEMETRY) as { temp: number; tempUnit: string };
    expect(fahrenheit.tempUnit).toBe('fahrenheit');

    answerStartNext(r, execution('ChangeTempUnit', WORKSHOP));
    expect(r.device.settings.ledColor).toBe('blue');
    expect(shadowReports(r).at(-1)).toEqual({ ledColor: 'blue' });
    expect(updates(r, 'ChangeTempUnit')).toEqual([{ status: 'IN_PROGRESS', statusDetails: { step: 'applying' }, expectedVersion: 2, clientToken: expect.any(String) as string }]);
    expect(r.conn.published.find((m) => m.topic === `${P}/ChangeTempUnit/update`)?.qos).toBe(1);
    expect(r.ctx.counters.jobsStarted).toBe(1);
    answerUpdate(r, 'ChangeTempUnit');

    r.clock.advance(STEP - 1);
    expect(updates(r, 'ChangeTempUnit')).toHaveLength(1);
    expect(r.device.settings).toMatchObject({ ledColor: 'blue', tempUnit: 'fahrenheit' });
    const startNextsBefore = startNexts(r);

    r.clock.advance(1);
    expect(r.device.settings).toMatchObject({ ledColor: 'green', tempUnit: 'celsius' });
    expect(shadowReports(r).at(-1)).toEqual({ tempUnit: 'celsius', ledColor: 'green' });
    const done = last(r, `${P}/ChangeTempUnit/update`);
    expect(done).toMatchObject({ status: 'SUCCEEDED', statusDetails: { tempUnit: 'celsius', ledColor: 'green' }, expectedVersion: 3 });
    expect(r.device.jobs.phase).toBe(JobPhase.Finishing);
    expect(startNexts(r)).toBe(startNextsBefore);

    answerUpdate(r, 'ChangeTempUnit');
    expect(r.ctx.counters.jobsSucceeded).toBe(1);
    expect(startNexts(r)).toBe(startNextsBefore + 1);
    answerStartNext(r);
    expect(r.device.jobs.phase).toBe(JobPhase.Idle);
    expect(r.device.jobs.jobId).toBeUndefined();

    r.clock.advance(INTERVAL);
    const celsius = r.conn.lastOn(TELEMETRY) as { temp: number; tempUnit: string };
    expect(celsius.tempUnit).toBe('celsius');
    // Same room seconds later: the readings agree through t°F = 1.8·t°C + 32, give or take noise.
    expect(Math.abs(1.8 * celsius.temp + 32 - fahrenheit.temp)).toBeLessThan(1.5);
    expect(r.ctx.counters.errors).toBe(0);
  });

  it('a document that sets only the unit hands the LED back in the colour it found it', () => {
    connect(r);
    startJob(r, 'unit-only', { tempUnit: 'celsius' });
    r.clock.advance(STEP);
    expect(r.device.settings).toMatchObject({ ledColor: 'red', tempUnit: 'celsius' });
    expect(last(r, `${P}/unit-only/update`)).toMatchObject({ status: 'SUCCEEDED', statusDetails: { tempUnit: 'celsius', ledColor: 'red' } });
  });

  it('accepts versionNumber as a numeric string (v1 SDK style) and keeps counting from it', () => {
    connect(r);
    startJob(r, 'j1', WORKSHOP, '7');
    r.clock.advance(STEP);
    expect(updates(r, 'j1').map((u) => u.expectedVersion)).toEqual([7, 8]);
  });

  it('stays idle on an empty queue; notify-next with an execution sends start-next, without one nothing', () => {
    connect(r);
    answerStartNext(r);
    expect(r.device.jobs.phase).toBe(JobPhase.Idle);
    r.clock.advance(10 * RECONNECT_MAX);
    expect(startNexts(r)).toBe(1);
    r.conn.deliver(`${P}/notify-next`, { timestamp: 1767225700 });
    expect(startNexts(r)).toBe(1);
    r.conn.deliver(`${P}/notify-next`, { timestamp: 1767225700, execution: execution('j1', WORKSHOP, 1) });
    expect(startNexts(r)).toBe(2);
    startJob(r, 'j1', WORKSHOP);
    expect(r.device.jobs.jobId).toBe('j1');
  });

  it('notify-next while a job runs waits for that job to finish, then one start-next', () => {
    connect(r);
    startJob(r, 'j1', WORKSHOP);
    r.conn.deliver(`${P}/notify-next`, { timestamp: 1767225700, execution: execution('j1', WORKSHOP) });
    r.conn.deliver(`${P}/notify-next`, { timestamp: 1767225700, execution: execution('j1', WORKSHOP) });
    expect(startNexts(r)).toBe(1);
    r.clock.advance(STEP);
    answerUpdate(r, 'j1');
    expect(startNexts(r)).toBe(2);
    startJob(r, 'j2', { ledColor: 'yellow' });
    expect(r.device.jobs.jobId).toBe('j2');
  });

  it('a notify-next that arrives while start-next is in flight is not lost to an empty answer', () => {
    connect(r);
    r.conn.deliver(`${P}/notify-next`, { timestamp: 1767225700, execution: execution('j1', WORKSHOP, 1) });
    answerStartNext(r);
    expect(startNexts(r)).toBe(2);
    expect(r.device.jobs.phase).toBe(JobPhase.Requesting);
  });

  it('rejects a document no handler takes ({"operation":"selfDestruct"}) with a reason, changing nothing', () => {
    connect(r);
    answerStartNext(r, execution('example-job-01', { operation: 'selfDestruct', otherInfo: 'someValue' }));
    const rejected = last(r, `${P}/example-job-01/update`);
    expect(rejected).toMatchObject({ status: 'REJECTED', expectedVersion: 2 });
    const reason = (rejected.statusDetails as Body).reason as string;
    expect(reason).toContain('selfDestruct');
    expect(reason.length).toBeLessThanOrEqual(1024);
    expect(r.device.settings.ledColor).toBe('red');
    expect(shadowReports(r).some((s) => s.ledColor === 'blue')).toBe(false);
    answerUpdate(r, 'example-job-01');
    expect(r.ctx.counters).toMatchObject({ jobsStarted: 0, jobsRejected: 1 });
    expect(startNexts(r)).toBe(2);
  });

  it('rejects an unacceptable value before the LED turns blue ({"ledColor":"pink"})', () => {
    connect(r);
    answerStartNext(r, execution('pink', { ledColor: 'pink', tempUnit: 'celsius' }));
    expect(updates(r, 'pink')).toHaveLength(1);
    const rejected = last(r, `${P}/pink/update`);
    expect(rejected.status).toBe('REJECTED');
    expect((rejected.statusDetails as Body).reason).toContain('pink');
    expect(r.device.settings).toMatchObject({ ledColor: 'red', tempUnit: 'fahrenheit' });
    r.clock.advance(STEP);
    expect(updates(r, 'pink')).toHaveLength(1);
  });

  it('InvalidStateTransition on the progress update (force-canceled): drops the job, stops its timer, asks for the next', () => {
    connect(r);
    answerStartNext(r, execution('canceled', WORKSHOP));
    const timersWhileRunning = r.scheduler.size;
    answerUpdate(r, 'canceled', 'InvalidStateTransition');
    expect(r.scheduler.size).toBe(timersWhileRunning - 1);
    expect(r.ctx.counters.errors).toBe(1);
    expect(startNexts(r)).toBe(2);
    // The LED no longer means "job running": back to its colour before the job, and the shadow says so.
    expect(r.device.settings.ledColor).toBe('red');
    expect(shadowReports(r).at(-1)).toEqual({ ledColor: 'red', tempUnit: 'fahrenheit' });
    r.clock.advance(STEP);
    expect(updates(r, 'canceled')).toHaveLength(1);
    expect(r.device.settings.tempUnit).toBe('fahrenheit');
  });

  it('drops the running job at once when notify-next names another head (force-canceled, removed or deleted)', () => {
    connect(r);
    startJob(r, 'j1', WORKSHOP);
    expect(r.device.settings.ledColor).toBe('blue');
    const timers = r.scheduler.size;
    // A stale notify-next about the running job itself changes nothing.
    r.conn.deliver(`${P}/notify-next`, { timestamp: 1, execution: execution('j1', WORKSHOP) });
    expect(r.device.jobs.phase).toBe(JobPhase.Running);
    r.conn.deliver(`${P}/notify-next`, { timestamp: 2 });
    expect(r.scheduler.size).toBe(timers - 1);
    expect(r.device.settings.ledColor).toBe('red');
    expect(startNexts(r)).toBe(2);
    r.clock.advance(STEP);
    expect(updates(r, 'j1')).toHaveLength(1);
    expect(r.device.settings.tempUnit).toBe('fahrenheit');
    expect(r.ctx.counters.errors).toBe(0);
  });

  it('drops the running execution when notify-next names a retry of the same job (it timed out)', () => {
    connect(r);
    startJob(r, 'j1', WORKSHOP);
    const timers = r.scheduler.size;
    r.conn.deliver(`${P}/notify-next`, { timestamp: 2, execution: { ...execution('j1', WORKSHOP), status: 'QUEUED', executionNumber: 2, versionNumber: 1 } });
    expect(r.scheduler.size).toBe(timers - 1);
    expect(r.device.settings.ledColor).toBe('red');
    expect(startNexts(r)).toBe(2);
  });

  it('InvalidStateTransition on the final update: no success is counted, the next job is asked for', () => {
    connect(r);
    startJob(r, 'j1', WORKSHOP);
    r.clock.advance(STEP);
    answerUpdate(r, 'j1', 'InvalidStateTransition');
    expect(r.ctx.counters).toMatchObject({ jobsStarted: 1, jobsSucceeded: 0, errors: 1 });
    expect(startNexts(r)).toBe(2);
    expect(r.device.jobs.phase).toBe(JobPhase.Requesting);
  });

  it('VersionMismatch and ResourceNotFound move on at once; throttling waits out the longest reconnect backoff', () => {
    connect(r);
    answerStartNext(r, execution('j1', WORKSHOP));
    answerUpdate(r, 'j1', 'VersionMismatch');
    answerStartNext(r, execution('j2', WORKSHOP));
    answerUpdate(r, 'j2', 'ResourceNotFound');
    expect(startNexts(r)).toBe(3);
    answerStartNext(r, execution('j3', WORKSHOP));
    answerUpdate(r, 'j3', 'RequestThrottled');
    expect(r.device.jobs.phase).toBe(JobPhase.Idle);
    r.clock.advance(RECONNECT_MAX - 1);
    expect(startNexts(r)).toBe(3);
    r.clock.advance(1);
    expect(startNexts(r)).toBe(4);
  });

  it('start-next rejected: counted, retried later', () => {
    connect(r);
    const { clientToken } = last(r, `${P}/start-next`);
    r.conn.deliver(`${P}/start-next/rejected`, { code: 'InternalError', message: 'oops', clientToken, timestamp: 1 });
    expect(r.ctx.counters.errors).toBe(1);
    r.clock.advance(RECONNECT_MAX);
    expect(startNexts(r)).toBe(2);
  });

  it('a reconnect mid-job reruns the execution from start-next, without counting a second start', () => {
    connect(r);
    startJob(r, 'j1', { tempUnit: 'celsius' });
    r.conn.handler.onDisconnected('connection reset');
    r.clock.advance(STEP * 4);
    expect(updates(r, 'j1')).toHaveLength(1);
    expect(r.device.jobs.phase).toBe(JobPhase.Offline);

    connect(r);
    expect(startNexts(r)).toBe(2);
    startJob(r, 'j1', { tempUnit: 'celsius' }, 3);
    expect(updates(r, 'j1').at(-1)).toMatchObject({ status: 'IN_PROGRESS', expectedVersion: 3 });
    r.clock.advance(STEP);
    // The LED comes back red: the colour from before the first run, not the blue of the interrupted one.
    expect(last(r, `${P}/j1/update`)).toMatchObject({ status: 'SUCCEEDED', expectedVersion: 4, statusDetails: { tempUnit: 'celsius', ledColor: 'red' } });
    answerUpdate(r, 'j1');
    expect(r.ctx.counters).toMatchObject({ jobsStarted: 1, jobsSucceeded: 1 });
  });

  it('ignores replies for other jobs and replies with someone else’s clientToken', () => {
    connect(r);
    startJob(r, 'j1', WORKSHOP);
    r.conn.deliver(`${P}/other/update/rejected`, { code: 'InvalidStateTransition', clientToken: last(r, `${P}/j1/update`).clientToken });
    r.conn.deliver(`${P}/j1/update/rejected`, { code: 'InvalidStateTransition', clientToken: 'not-mine' });
    r.conn.deliver(`${P}/j10/update/rejected`, { code: 'InvalidStateTransition' });
    r.conn.deliver(`${P}/start-next/accepted`, { execution: execution('j9', WORKSHOP), clientToken: 'stale' });
    expect(r.device.jobs.jobId).toBe('j1');
    r.clock.advance(STEP);
    r.conn.deliver(`${P}/other/update/accepted`, { clientToken: last(r, `${P}/j1/update`).clientToken });
    expect(r.ctx.counters.jobsSucceeded).toBe(0);
    answerUpdate(r, 'j1');
    expect(r.ctx.counters).toMatchObject({ jobsSucceeded: 1, errors: 0 });
  });

  it('ignores an answer to an older start-next: only the newest request counts', () => {
    connect(r);
    const { clientToken: first } = last(r, `${P}/start-next`);
    r.conn.deliver(`${P}/notify-next`, { execution: execution('j1', WORKSHOP, 1) });
    answerStartNext(r);
    expect(startNexts(r)).toBe(2);
    r.conn.deliver(`${P}/start-next/accepted`, { execution: execution('j1', WORKSHOP), clientToken: first });
    expect(r.device.jobs.jobId).toBeUndefined();
    answerStartNext(r, execution('j1', WORKSHOP));
    expect(r.device.jobs.jobId).toBe('j1');
  });

  it('counts malformed payloads and carries on', () => {
    connect(r);
    answerStartNext(r, execution('j1', WORKSHOP));
    for (const bad of ['not json{', '[1,2]', '"text"', '', 'null']) {
      r.conn.deliver(`${P}/notify-next`, bad);
      r.conn.deliver(`${P}/start-next/accepted`, bad);
      r.conn.deliver(`${P}/j1/update/accepted`, bad);
    }
    expect(r.ctx.counters.errors).toBe(15);
    answerUpdate(r, 'j1');
    r.clock.advance(STEP);
    answerUpdate(r, 'j1');
    expect(r.ctx.counters.jobsSucceeded).toBe(1);
  });

  it('rejects an execution whose jobDocument is not an object', () => {
    connect(r);
    answerStartNext(r, execution('j1', '{"tempUnit":"celsius"}'));
    expect(last(r, `${P}/j1/update`)).toMatchObject({ status: 'REJECTED', statusDetails: { reason: expect.stringContaining('not a JSON object') as string } });
  });

  it('property: nothing a broker sends on a jobs topic makes the device throw', () => {
    const topics = [`${P}/notify-next`, `${P}/start-next/accepted`, `${P}/start-next/rejected`, `${P}/j1/update/accepted`, `${P}/j1/update/rejected`, `${P}/notify`, `${P}/j1/get/accepted`];
    const exec = fc.record({ jobId: fc.string(), jobDocument: fc.jsonValue(), versionNumber: fc.jsonValue() }, { requiredKeys: [] });
    const payload = fc.oneof(fc.string(), fc.json(), fc.record({ execution: exec, clientToken: fc.constantFrom('1', '2', '3') }, { requiredKeys: [] }));
    connect(r);
    answerStartNext(r, execution('j1', WORKSHOP));
    fc.assert(
      fc.property(fc.constantFrom(...topics), payload, (topic, body) => {
        r.conn.handler.onMessage(topic, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
        r.clock.advance(STEP);
      }),
    );
    expect(r.device.state).toBe(DeviceState.Online);
  });

  it('keeps no timers after the device stops mid-job', async () => {
    connect(r);
    startJob(r, 'j1', WORKSHOP);
    await r.device.stop();
    expect(r.scheduler.size).toBe(0);
  });
});

describe('job handler selection', () => {
  it('by operation, then jobType, then the document’s shape', () => {
    expect(selectHandler({ operation: 'changeSettings', tempUnit: 'celsius' })).toEqual({ ok: true, value: settingsChange });
    expect(selectHandler({ jobType: 'settings', ledColor: 'green' })).toEqual({ ok: true, value: settingsChange });
    expect(selectHandler(WORKSHOP)).toEqual({ ok: true, value: settingsChange });
    // An operation the device does not know wins over a familiar shape.
    expect(selectHandler({ operation: 'frobnicate', tempUnit: 'celsius' }).ok).toBe(false);
    expect(selectHandler({ jobType: 'DNF_UPDATE', aptPackageName: 'cowsay' })).toEqual({ ok: false, error: expect.stringContaining('DNF_UPDATE') as string });
    expect(selectHandler({ otherInfo: 'x' }).ok).toBe(false);
  });

  it('settings-change checks every setting it is given', () => {
    expect(settingsChange.check({ ledColor: 'purple' })).toBeUndefined();
    expect(settingsChange.check({ tempUnit: 'kelvin' })).toContain('kelvin');
    expect(settingsChange.check({ tempUnit: 'celsius', setpoint: 99 })).toContain('setpoint');
    expect(settingsChange.check({ operation: 'settings' })).toContain('no setting');
  });
});
