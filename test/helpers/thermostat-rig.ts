import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { mulberry32 } from '../../src/core/random.js';
import { newCounters, type DeviceContext, type FetchFn } from '../../src/device/context.js';
import { NO_FAULTS, type DeviceFaults } from '../../src/device/faults.js';
import { Thermostat } from '../../src/device/thermostat.js';
import { FifoConnectGate } from '../../src/fleet/connect-gate.js';
import { WorkerScheduler } from '../../src/fleet/scheduler.js';
import { FakeConnectionFactory, type FakeConnection } from './fake-connection.js';

export const RIG_THING = 'SaoPaulo-00001';
export const RIG_TELEMETRY_INTERVAL = 10_000;
export const RIG_RECONNECT_MAX = 60_000;
export const RIG_JOB_STEP = 5_000;

export interface ThermostatRig {
  clock: FakeClock;
  ctx: DeviceContext;
  device: Thermostat;
  conn: FakeConnection;
  scheduler: WorkerScheduler;
}

export interface RigOptions {
  /** The group's injected faults (default none). */
  faults?: DeviceFaults;
  /** How handlers download (default: the global fetch). */
  fetch?: FetchFn;
  /** device.bootMs (default: unset, so DEFAULT_BOOT_MS). */
  bootMs?: number;
}

/** One São Paulo thermostat on a fake clock and a fake connection: the test plays the broker. */
export function thermostatRig(o: RigOptions = {}): ThermostatRig {
  const clock = new FakeClock(Date.UTC(2026, 10, 23, 12));
  const scheduler = new WorkerScheduler(clock);
  const factory = new FakeConnectionFactory();
  const ctx: DeviceContext = {
    clock,
    timers: scheduler,
    gate: new FifoConnectGate(4),
    connections: factory,
    log: silentLogger(),
    counters: newCounters(),
    random: mulberry32(1),
    telemetry: { intervalMs: RIG_TELEMETRY_INTERVAL, qos: 0, topicTemplate: 'dt/acfleet/{location}/{thingName}/telemetry' },
    device: { keepaliveMs: 60_000, reconnectMinMs: 1_000, reconnectMaxMs: RIG_RECONNECT_MAX, jobStepMs: RIG_JOB_STEP, ...(o.bootMs === undefined ? {} : { bootMs: o.bootMs }) },
    deviceSecret: 'a-test-secret-of-some-length',
    ...(o.fetch ? { fetch: o.fetch } : {}),
  };
  const device = new Thermostat(
    {
      thingName: RIG_THING,
      deviceSeed: 1234,
      group: { name: 'SaoPaulo', locationId: 'sao-paulo', site: { climate: { meanTemp: 21, dailySwing: 9, humidity: 78 }, lon: -46.63 }, faults: o.faults ?? NO_FAULTS },
      settings: { ledColor: 'red', tempUnit: 'fahrenheit', setpoint: 22, power: 'on' },
      firmwareVersion: '1.1.0',
    },
    ctx,
  );
  return { clock, ctx, device, conn: factory.get(RIG_THING), scheduler };
}
