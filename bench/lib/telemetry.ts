/**
 * Steps 3 and 4: telemetry throughput and the fleet workers' event-loop p99 under a load well
 * above what 2 cores carry, counted by the same operator subscriber for the fleet and the baseline.
 */
import type { ClockEpoch } from '../../src/core/clock.js';
import { BareFleet, type BareConnectResult } from './bare-fleet.js';
import { withBroker, type BenchBroker, type BrokerKind } from './brokers.js';
import { TelemetryCounter } from './counter.js';
import { benchFleetConfig, CONNECTS_IN_FLIGHT, fleetWorkerCount } from './fleet-config.js';
import { benchIdentities } from './identities.js';
import { withPool } from './pool.js';
import { nowMs, sleep, waitForCount, waitUntil } from './time.js';

/** Offered load: every device publishes every `10 s / speed`; the speed is chosen to offer this many msgs/s. */
export const OFFERED_MSGS_PER_SEC = 50_000;
const INTERVAL_SIM_S = 10;
/** Let connections, shadow syncs and socket buffers settle before counting. */
export const WARMUP_MS = 2_000;
export const WINDOW_MS = 10_000;
/** How long the fleet gets to come online before the window starts anyway. */
const ONLINE_TIMEOUT_MS = 30_000;
/** Publishers keep going a little past the window, so a late sample in the bench thread still sees load. */
const TAIL_MS = 1_000;

/** After the warm-up, the counter's readings at both ends of the measured window. */
async function countOverWindow(counter: { readonly count: number }): Promise<{ c0: number; c1: number; t0: number; t1: number }> {
  await sleep(WARMUP_MS);
  const c0 = counter.count;
  const t0 = nowMs();
  await sleep(WINDOW_MS);
  return { c0, t0, c1: counter.count, t1: nowMs() };
}

export interface TelemetryResult {
  devices: number;
  online: number;
  /** Messages per second the devices were asked to send (the fleet's config); undefined for the baseline. */
  offeredPerSec: number | undefined;
  /** What the publishers handed to their sockets, per second. */
  sentPerSec: number;
  /** What the counting subscriber received in the window, per second. */
  receivedPerSec: number;
  windowMs: number;
  /** Worst worker's event-loop p99 per stats report (each covers ~1 s) in the window, ms. */
  loopP99Ms: number[];
  failure: string | undefined;
  /** Set when the broker crashed or exited during the measurement. */
  brokerDied: string | undefined;
}

export const telemetrySpeed = (devices: number): number => Math.min(10_000, Math.max(1, Math.ceil((OFFERED_MSGS_PER_SEC * INTERVAL_SIM_S) / devices)));

interface Sample {
  at: number;
  published: number;
  loopP99Ms: number;
}

/** Slope of the published counter between the first and last stats sample inside [from, to]. */
function rateWithin(samples: readonly Sample[], from: number, to: number): number {
  const inside = samples.filter((s) => s.at >= from && s.at <= to);
  const first = inside[0];
  const last = inside[inside.length - 1];
  if (!first || !last || last.at <= first.at) return Number.NaN;
  return ((last.published - first.published) * 1000) / (last.at - first.at);
}

async function measureFleetTelemetry(b: BenchBroker, devices: number, counter: TelemetryCounter): Promise<TelemetryResult> {
  const speed = telemetrySpeed(devices);
  const config = benchFleetConfig({ devices, speed, interval: `${INTERVAL_SIM_S}s` });
  // The fleet's own fast clock; the cloud keeps its own, which only stamps shadow metadata.
  const wall = Date.now();
  const clockEpoch: ClockEpoch = { wallMs: wall, simMs: wall, speed };
  const samples: Sample[] = [];
  const result = await withPool(
    {
      config,
      brokerUrl: b.mqttUrl,
      deviceSecret: b.deviceSecret,
      clockEpoch,
      logLevel: 'error',
      // One-second windows for the event-loop p99 (the worker resets its histogram at every report).
      statsIntervalMs: 1000,
      onStats: (s) => samples.push({ at: nowMs(), published: s.counters.published, loopP99Ms: s.eventLoopP99Ms }),
    },
    async ({ pool, failure }) => {
      // Bounded: an overloaded broker may never let every device in; the window then runs with those online.
      await waitForCount(() => pool.stats().counters.online, devices, { timeoutMs: ONLINE_TIMEOUT_MS, stallMs: 5_000, pollMs: 20 });
      const { c0, c1, t0, t1 } = await countOverWindow(counter);
      const online = pool.stats().counters.online;
      // Take the broker away before the pool stops, and let every device see its connection drop:
      // a device stopped while online ends its MQTT.js client gracefully, and that waits for PUBACKs
      // of its QoS 1 shadow publishes, which an overloaded broker may never send (FleetPool.stop()
      // then never returns).
      await b.kill();
      // After the kill, so that a crash report already on its way is not missed.
      const brokerDied = b.died();
      await waitUntil(() => pool.stats().counters.online === 0, 15_000, 50);
      return {
        brokerDied,
        devices,
        online,
        offeredPerSec: (devices * speed) / INTERVAL_SIM_S,
        sentPerSec: rateWithin(samples, t0, t1 + 1000),
        receivedPerSec: ((c1 - c0) * 1000) / (t1 - t0),
        windowMs: t1 - t0,
        loopP99Ms: samples.filter((s) => s.at > t0 && s.at <= t1 + 1000).map((s) => s.loopP99Ms),
        failure: failure(),
      };
    },
  );
  return result;
}

/** The baseline: the bare clients (already connected) publish as fast as their sockets drain. */
async function measureBareTelemetry(b: BenchBroker, bare: BareFleet, online: number, counter: TelemetryCounter): Promise<TelemetryResult> {
  const start = nowMs();
  const untilMs = start + WARMUP_MS + WINDOW_MS + TAIL_MS;
  const published = bare.publishUntil(untilMs);
  const { c0, c1, t0, t1 } = await countOverWindow(counter);
  const p = await published;
  await b.kill();
  const brokerDied = b.died();
  // Per second, the worst of the workers, as FleetPool.stats() reports the fleet's.
  const seconds = Math.max(0, ...p.loopP99Ms.map((l) => l.length));
  const worst = Array.from({ length: seconds }, (_, i) => Math.max(...p.loopP99Ms.map((l) => l[i] ?? 0)));
  return {
    brokerDied,
    devices: online,
    online,
    offeredPerSec: undefined,
    sentPerSec: (p.published * 1000) / (untilMs - start),
    receivedPerSec: ((c1 - c0) * 1000) / (t1 - t0),
    windowMs: t1 - t0,
    // Skip the warm-up seconds, as the fleet's samples do.
    loopP99Ms: worst.slice(Math.floor(WARMUP_MS / 1000), Math.floor((WARMUP_MS + WINDOW_MS) / 1000)),
    failure: p.dropped > 0 ? `${p.dropped} baseline clients were disconnected while publishing` : undefined,
  };
}

/** The acfleet side, on a broker of its own (it is killed at the end, overloaded). */
export function fleetTelemetryPhase(kind: BrokerKind, devices: number): Promise<TelemetryResult> {
  return withBroker(kind, benchFleetConfig({ devices }), async (b) => {
    const counter = await TelemetryCounter.connect(b.mqttUrl);
    try {
      return await measureFleetTelemetry(b, devices, counter);
    } finally {
      await counter.close();
    }
  });
}

export interface BarePhaseResult {
  connect: BareConnectResult;
  telemetry: TelemetryResult | undefined;
}

/**
 * The baseline side, on a fresh broker like the fleet's connect step: bare clients connect (the
 * connect-rate baseline), then flood (the telemetry baseline).
 */
export function bareConnectAndTelemetryPhase(kind: BrokerKind, devices: number, connectTimeoutMs: number): Promise<BarePhaseResult> {
  const config = benchFleetConfig({ devices });
  return withBroker(kind, config, async (b) => {
    const counter = await TelemetryCounter.connect(b.mqttUrl);
    const bare = BareFleet.start(b.mqttUrl, benchIdentities(config, b.deviceSecret), fleetWorkerCount(devices), CONNECTS_IN_FLIGHT);
    try {
      const connect = await bare.connected(connectTimeoutMs);
      const telemetry = connect.connected > 0 ? await measureBareTelemetry(b, bare, connect.connected, counter) : undefined;
      return { connect, telemetry };
    } finally {
      await bare.stop();
      await counter.close();
    }
  });
}
