/**
 * Injected faults applied by the device (issue 6): per execution reject, fail, hang and crash,
 * the fault's duration as the work time, devices that never connect or drop off for good, and
 * latency before publishes. The decisions come from a scripted DeviceFaults; how they are drawn
 * from fleet.yaml is src/device/faults.ts's business.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BOOT_MS } from '../../src/device/context.js';
import { NO_FAULTS, type DeviceFaults, type ExecutionFate, type OfflineFate } from '../../src/device/faults.js';
import { INJECTED } from '../../src/device/job-run.js';
import { JobPhase } from '../../src/device/job-agent.js';
import { DeviceState } from '../../src/device/lifecycle.js';
import { FakeFetch } from '../helpers/fake-fetch.js';
import { P, S, answerStartNext, answerUpdate, connect, execution, lastUpdate, settle, shadowReports, startNexts, updates, type Body } from '../helpers/job-rig.js';
import { RIG_JOB_STEP, RIG_RECONNECT_MAX, RIG_TELEMETRY_INTERVAL, thermostatRig, type ThermostatRig } from '../helpers/thermostat-rig.js';

const STEP = RIG_JOB_STEP;
const WORKSHOP = { tempUnit: 'celsius', ledColor: 'green' };

/** Faults that answer as scripted; `asked` records the executions the device asked about. */
function scripted(o: { fate?: ExecutionFate; offline?: OfflineFate; latency?: (n: number) => number }): DeviceFaults & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    execution: (thing, jobId, n) => {
      asked.push(`${thing}/${jobId}#${n}`);
      return o.fate ?? {};
    },
    offline: () => o.offline,
    publishLatencyMs: (_thing, n) => o.latency?.(n) ?? 0,
  };
}

function rig(faults: DeviceFaults, fetch?: FakeFetch): ThermostatRig {
  const r = thermostatRig({ faults, ...(fetch ? { fetch: fetch.fetch } : {}) });
  connect(r);
  return r;
}

const celsiusReports = (r: ThermostatRig): number => shadowReports(r).filter((s) => s.tempUnit === 'celsius').length;

describe('injected execution faults', () => {
  it('asks once per execution, by thing, job and execution number', () => {
    const faults = scripted({});
    const r = rig(faults);
    answerStartNext(r, execution('j1', WORKSHOP, { executionNumber: 3 }));
    expect(faults.asked).toEqual(['SaoPaulo-00001/j1#3']);
  });

  it('reject: REJECTED with the reason before anything changes', () => {
    const r = rig(scripted({ fate: { fault: 'reject' } }));
    answerStartNext(r, execution('j1', WORKSHOP));
    expect(updates(r, 'j1')).toEqual([expect.objectContaining({ status: 'REJECTED', statusDetails: { reason: INJECTED.reject } })]);
    expect(r.device.settings.ledColor).toBe('red');
    expect(shadowReports(r).some((s) => s.ledColor === 'blue')).toBe(false);
    answerUpdate(r, 'j1');
    expect(r.ctx.counters).toMatchObject({ jobsStarted: 0, jobsRejected: 1 });
  });

  it('fail: takes the job (LED blue, IN_PROGRESS), then FAILED after a step, the LED back as it was', () => {
    const r = rig(scripted({ fate: { fault: 'fail' } }));
    answerStartNext(r, execution('j1', WORKSHOP));
    expect(lastUpdate(r, 'j1')).toMatchObject({ status: 'IN_PROGRESS', statusDetails: { step: 'applying' } });
    expect(r.device.settings.ledColor).toBe('blue');
    answerUpdate(r, 'j1');
    r.clock.advance(STEP);
    expect(lastUpdate(r, 'j1')).toMatchObject({ status: 'FAILED', statusDetails: { reason: INJECTED.fail } });
    expect(r.device.settings).toMatchObject({ ledColor: 'red', tempUnit: 'fahrenheit' });
    answerUpdate(r, 'j1');
    expect(r.ctx.counters).toMatchObject({ jobsStarted: 1, jobsFailed: 1 });
  });

  it('fail on a handler that would finish at once (customJob): IN_PROGRESS first, then FAILED', () => {
    const r = rig(scripted({ fate: { fault: 'fail' } }));
    answerStartNext(r, execution('c', { operation: 'customJob' }));
    expect(lastUpdate(r, 'c')).toMatchObject({ status: 'IN_PROGRESS', statusDetails: { step: 'started' } });
    r.clock.advance(STEP);
    expect(lastUpdate(r, 'c')).toMatchObject({ status: 'FAILED' });
  });

  it('hang: takes the job and never reports again, until notify-next takes it away', () => {
    const r = rig(scripted({ fate: { fault: 'hang' } }));
    answerStartNext(r, execution('j1', WORKSHOP));
    answerUpdate(r, 'j1');
    expect(r.device.jobs.phase).toBe(JobPhase.Running);
    r.clock.advance(100 * STEP);
    expect(updates(r, 'j1')).toHaveLength(1);
    expect(r.device.settings.ledColor).toBe('blue');
    // Timed out (or force-canceled): the service names another head, or none.
    r.conn.deliver(`${P}/notify-next`, { timestamp: 2 });
    expect(r.device.settings.ledColor).toBe('red');
    expect(startNexts(r)).toBe(2);
    expect(updates(r, 'j1')).toHaveLength(1);
  });

  it('hang on a download: the file is never fetched', async () => {
    const f = new FakeFetch().file('http://files.test/x', 'x');
    const r = rig(scripted({ fate: { fault: 'hang' } }), f);
    answerStartNext(r, execution('dl', { operation: 'download', files: { fileName: 'x', url: 'http://files.test/x' } }));
    await settle();
    expect(lastUpdate(r, 'dl')).toMatchObject({ status: 'IN_PROGRESS', statusDetails: { step: 'downloading' } });
    expect(f.calls).toEqual([]);
  });

  it('crash: drops the connection without a DISCONNECT mid-job, boots, resumes the execution via start-next and applies it once', () => {
    const r = rig(scripted({ fate: { fault: 'crash', durationMs: 20_000, crashAt: 0.5 } }));
    answerStartNext(r, execution('j1', WORKSHOP));
    answerUpdate(r, 'j1');
    r.clock.advance(9_999);
    expect(r.device.state).toBe(DeviceState.Online);
    r.clock.advance(1);
    expect(r.conn.closeModes).toEqual(['abrupt']);
    expect(r.device.state).toBe(DeviceState.Offline);
    expect(updates(r, 'j1')).toHaveLength(1);
    r.clock.advance(DEFAULT_BOOT_MS);
    expect(r.conn.opens).toBe(2);
    connect(r);
    expect(startNexts(r)).toBe(2);
    answerStartNext(r, execution('j1', WORKSHOP, { versionNumber: 3, statusDetails: { step: 'applying' } }));
    answerUpdate(r, 'j1');
    // No second crash: the work runs its full duration and completes.
    r.clock.advance(20_000);
    expect(r.conn.closeModes).toEqual(['abrupt']);
    expect(lastUpdate(r, 'j1')).toMatchObject({ status: 'SUCCEEDED', statusDetails: { tempUnit: 'celsius', ledColor: 'green' } });
    answerUpdate(r, 'j1');
    expect(r.ctx.counters).toMatchObject({ jobsStarted: 1, jobsSucceeded: 1 });
    expect(celsiusReports(r)).toBe(1);
    // The LED the job found was red, not the blue it left when it crashed.
    expect(updates(r, 'j1').filter((u) => u.status === 'SUCCEEDED')).toHaveLength(1);
  });

  it('crash during a download: the download stops, and the resumed run fetches only what its statusDetails had not counted', async () => {
    const f = new FakeFetch().file('http://files.test/a', 'aaaa').hold('http://files.test/b');
    const r = rig(scripted({ fate: { fault: 'crash', durationMs: 10_000, crashAt: 0.5 } }), f);
    const doc = { operation: 'download', files: [{ fileName: 'a', url: 'http://files.test/a' }, { fileName: 'b', url: 'http://files.test/b' }] };
    answerStartNext(r, execution('dl', doc));
    await settle();
    expect(f.held).toHaveLength(1);
    r.clock.advance(5_000);
    expect(f.held[0]?.signal.aborted).toBe(true);
    r.clock.advance(DEFAULT_BOOT_MS);
    connect(r);
    // The service kept the first report only (files are reported every few): both are fetched again, idempotently.
    answerStartNext(r, execution('dl', doc, { versionNumber: 3, statusDetails: { step: 'downloading', filesDone: '0', filesTotal: '2', bytes: '0', progress: '0%' } }));
    await settle();
    expect(f.calls).toEqual(['http://files.test/a', 'http://files.test/b', 'http://files.test/a', 'http://files.test/b']);
    f.held[1]?.release(new Response('bb'));
    await settle();
    r.clock.advance(10_000);
    expect(lastUpdate(r, 'dl')).toMatchObject({ status: 'SUCCEEDED', statusDetails: { files: '2', bytes: '6' } });
    expect([...(r.device.storage?.files?.keys() ?? [])]).toEqual(['/a', '/b']);
  });

  it('durationMs replaces device.jobStepDuration as the work time', () => {
    const r = rig(scripted({ fate: { durationMs: 42_000 } }));
    answerStartNext(r, execution('j1', WORKSHOP));
    r.clock.advance(STEP);
    expect(updates(r, 'j1')).toHaveLength(1);
    r.clock.advance(42_000 - STEP);
    expect(lastUpdate(r, 'j1').status).toBe('SUCCEEDED');
  });

  it('a resumed execution keeps the fate it drew, even if the faults changed meanwhile', () => {
    const faults = scripted({ fate: { fault: 'crash', durationMs: 10_000, crashAt: 0.2 } });
    const r = rig(faults);
    answerStartNext(r, execution('j1', WORKSHOP));
    r.clock.advance(2_000);
    r.device.group.faults = NO_FAULTS;
    r.clock.advance(DEFAULT_BOOT_MS);
    connect(r);
    answerStartNext(r, execution('j1', WORKSHOP, { versionNumber: 3 }));
    r.clock.advance(STEP);
    expect(updates(r, 'j1').at(-1)?.status).toBe('IN_PROGRESS');
    r.clock.advance(10_000 - STEP);
    expect(lastUpdate(r, 'j1').status).toBe('SUCCEEDED');
    r.device.group.faults = faults;
  });
});

describe('injected offline faults', () => {
  it('never: the thermostat never connects (and looks again now and then, in case the fault is switched off)', () => {
    const r = thermostatRig({ faults: scripted({ offline: { kind: 'never' } }) });
    r.device.start();
    expect(r.device.state).toBe(DeviceState.Offline);
    r.clock.advance(10 * RIG_RECONNECT_MAX);
    expect(r.conn.opens).toBe(0);
    r.device.group.faults = NO_FAULTS;
    r.clock.advance(RIG_RECONNECT_MAX);
    expect(r.conn.opens).toBe(1);
  });

  it('drops: connects, then afterMs after its first connect drops off without a word, for good', () => {
    const r = thermostatRig({ faults: scripted({ offline: { kind: 'drops', afterMs: 35_000 } }) });
    connect(r);
    r.clock.advance(34_999);
    expect(r.device.state).toBe(DeviceState.Online);
    const telemetry = r.conn.published.filter((m) => m.topic.startsWith('dt/')).length;
    expect(telemetry).toBeGreaterThanOrEqual(3);
    r.clock.advance(1);
    expect(r.conn.closeModes).toEqual(['abrupt']);
    expect(r.device.state).toBe(DeviceState.Offline);
    r.clock.advance(100 * RIG_RECONNECT_MAX);
    expect(r.conn.opens).toBe(1);
    expect(r.ctx.counters.disconnects).toBe(1);
  });

  it('drops: a reconnect in between does not restart the countdown', () => {
    const r = thermostatRig({ faults: scripted({ offline: { kind: 'drops', afterMs: 35_000 } }) });
    connect(r);
    r.clock.advance(20_000);
    r.conn.handler.onDisconnected('connection reset');
    r.clock.advance(2_000);
    connect(r);
    r.clock.advance(13_000);
    expect(r.device.state).toBe(DeviceState.Offline);
    expect(r.conn.closeModes).toEqual(['abrupt']);
  });
});

describe('injected publish latency', () => {
  it('delays every publish on the shared scheduler, keeps their order, and lets go of its queue once empty', () => {
    const latencies = [3_000, 100, 0];
    const r = thermostatRig({ faults: scripted({ latency: (n) => latencies[n] ?? 500 }) });
    const timersBefore = r.scheduler.size;
    connect(r);
    // shadow get (3 s), start-next (0.1 s), the shadow report answering the 404 (0 s): all wait for the first.
    expect(r.conn.published).toHaveLength(0);
    r.clock.advance(2_999);
    expect(r.conn.published).toHaveLength(0);
    r.clock.advance(1);
    expect(r.conn.published.map((m) => m.topic)).toEqual([`${S}/get`, `${P}/start-next`, `${S}/update`]);
    expect(r.ctx.counters.published).toBe(3);
    // Only the telemetry timer is left: the queue is gone with its timer.
    expect(r.scheduler.size).toBe(timersBefore + 1);
    r.clock.advance(RIG_TELEMETRY_INTERVAL);
    const telemetry = r.conn.published.filter((m) => m.topic.startsWith('dt/'));
    expect(telemetry.length).toBeGreaterThanOrEqual(1);
  });

  it('what is still waiting when the connection drops is lost', () => {
    const r = thermostatRig({ faults: scripted({ latency: () => 1_000 }) });
    connect(r);
    r.conn.handler.onDisconnected('connection reset');
    r.clock.advance(5_000);
    expect(r.conn.published).toHaveLength(0);
  });

  it('without latency publishes go out at once', () => {
    const r = thermostatRig();
    connect(r);
    expect(r.conn.published.map((m) => m.topic)).toEqual([`${S}/get`, `${P}/start-next`, `${S}/update`]);
  });
});

describe('stepTimeoutInMinutes', () => {
  it('long handlers send it on their IN_PROGRESS updates; the workshop job does not need to', () => {
    const r = rig(NO_FAULTS);
    answerStartNext(r, execution('apt', { jobType: 'APT_UPDATE', aptPackageName: 'cowsay' }));
    expect((lastUpdate(r, 'apt') as Body).stepTimeoutInMinutes).toBe(1);
    r.clock.advance(STEP);
    answerUpdate(r, 'apt');
    answerStartNext(r, execution('j1', WORKSHOP));
    expect(lastUpdate(r, 'j1')).not.toHaveProperty('stepTimeoutInMinutes');
  });
});
