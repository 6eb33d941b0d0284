/**
 * The fleet benchmark: for each broker (mosquitto and the embedded aedes), acfleet against a
 * baseline of bare MQTT.js clients measured in the same run — connect rate, memory per device,
 * telemetry msgs/s and the workers' event-loop p99 — then, with --max or ≥ 19,000 devices, the
 * most devices one fleet process holds.
 */
import type { BenchOptions } from './lib/args.js';
import { hasMosquitto, startBroker, type BenchBroker, type BrokerKind } from './lib/brokers.js';
import { measureFleetConnect } from './lib/fleet-connect.js';
import { benchFleetConfig, CONNECTS_IN_FLIGHT, fleetWorkerCount } from './lib/fleet-config.js';
import type { BrokerResults, MaxResults, SkippedBroker } from './lib/fleet-results.js';
import { fleetRows } from './lib/fleet-rows.js';
import { summarizeMs } from './lib/latency.js';
import { MAX_ONLINE_TIMEOUT_MS, measureMaxDevices } from './lib/max-devices.js';
import { measureMemory } from './lib/memory.js';
import { renderTable, writeResults } from './lib/report.js';
import { machineInfo, startWatchdog } from './lib/system.js';
import { formatCount as n, formatSeconds as s, progressLog, stepRunner } from './lib/progress.js';
import { bareConnectAndTelemetryPhase, fleetTelemetryPhase, telemetrySpeed, OFFERED_MSGS_PER_SEC, WINDOW_MS } from './lib/telemetry.js';
import { sleep } from './lib/time.js';

const DEFAULT_DEVICES = 5_000;
const MAX_DEVICES = 19_000;
const CONNECT_TIMEOUT_MS = 90_000;
/** Descriptors the bench process needs besides the devices' sockets (modules, pipes, threads). */
const FD_HEADROOM = 500;

const log = progressLog(Date.now());
const loud = (message: string): void => {
  const bar = '!'.repeat(100);
  log(`\n${bar}\n!! ${message}\n${bar}\n`);
};

const step = stepRunner(log);

async function benchBroker(kind: BrokerKind, devices: number): Promise<BrokerResults> {
  const config = benchFleetConfig({ devices });
  const r: BrokerResults = { broker: kind, devices, errors: [] };
  const tag = `[${kind}]`.padEnd(12);
  const noteDeath = (b: BenchBroker, phase: string): void => {
    const why = b.died();
    if (why) r.errors.push({ step: `${phase}: the broker died`, message: why });
  };

  // Phase 1, a fresh broker: the fleet's connect rate, then memory per device in child processes.
  await step(r, 'connect + memory phase', async () => {
    const b = await startBroker(kind, config);
    try {
      await step(r, 'connect (acfleet)', async () => {
        const f = await measureFleetConnect(b, config, devices, CONNECT_TIMEOUT_MS);
        r.fleetConnect = f;
        log(`${tag}connect   acfleet: ${n(f.online)}/${n(devices)} online in ${s(f.elapsedMs)} (${n((f.online * 1000) / f.elapsedMs)}/s), first after ${s(f.firstMs)}, ${f.shadowSynced < devices ? `only ${n(f.shadowSynced)} shadow gets answered` : `shadows synced at ${s(f.shadowSyncedMs)}`}`);
      });
      await step(r, 'memory (bare MQTT.js)', async () => {
        const m = await measureMemory(b, 'bare', devices, CONNECTS_IN_FLIGHT);
        r.bareMemory = m;
        log(`${tag}memory    bare:    ${n(m.heapPerDevice)} B heap, ${n(m.rssPerDevice)} B rss per client (${n(m.ready)}/${n(devices)} subscribed in ${s(m.readyMs)}, one thread)`);
      });
      await step(r, 'memory (acfleet)', async () => {
        const m = await measureMemory(b, 'acfleet', devices, CONNECTS_IN_FLIGHT);
        r.fleetMemory = m;
        log(`${tag}memory    acfleet: ${n(m.heapPerDevice)} B heap, ${n(m.rssPerDevice)} B rss per device (${n(m.ready)}/${n(devices)} synced in ${s(m.readyMs)}, one thread)`);
      });
    } finally {
      await b.stop();
      // After the stop: a broker may also fall over while its clients leave.
      noteDeath(b, 'connect + memory phase');
    }
  });

  // Phase 2, a fresh broker: bare clients connect (the connect baseline), then flood (the telemetry baseline).
  await step(r, 'bare MQTT.js connect + telemetry phase', async () => {
    const p = await bareConnectAndTelemetryPhase(kind, devices, CONNECT_TIMEOUT_MS);
    r.bareConnect = { ...p.connect, latency: summarizeMs(p.connect.latenciesMs) };
    const c = r.bareConnect;
    log(`${tag}connect   bare:    ${n(c.connected)}/${n(devices)} connected in ${s(c.elapsedMs)} (${n((c.connected * 1000) / c.elapsedMs)}/s), first after ${s(c.firstMs)}, CONNACK p50 ${c.latency.p50Ms.toFixed(1)} ms p99 ${c.latency.p99Ms.toFixed(1)} ms`);
    const t = p.telemetry;
    if (t) {
      r.bareTelemetry = t;
      log(`${tag}telemetry bare:    received ${n(t.receivedPerSec)} msgs/s, sent ${n(t.sentPerSec)} msgs/s${t.brokerDied ? ` — BROKER DIED: ${t.brokerDied.split('\n')[0] ?? ''}` : ''}`);
      if (t.brokerDied) r.errors.push({ step: 'telemetry (bare MQTT.js): the broker died', message: t.brokerDied });
    }
  });

  // Phase 3, a fresh broker: the fleet's telemetry at a speed that offers more than 2 cores carry.
  await step(r, 'telemetry (acfleet)', async () => {
    const t = await fleetTelemetryPhase(kind, devices);
    r.fleetTelemetry = t;
    log(`${tag}telemetry acfleet: received ${n(t.receivedPerSec)} msgs/s, sent ≈${n(t.sentPerSec)} msgs/s of ${n(t.offeredPerSec ?? Number.NaN)} offered; worker event-loop p99 per stats report (worst worker): ${t.loopP99Ms.map((v) => v.toFixed(0)).join(' ')} ms${t.brokerDied ? ` — BROKER DIED: ${t.brokerDied.split('\n')[0] ?? ''}` : ''}`);
    if (t.brokerDied) r.errors.push({ step: 'telemetry (acfleet): the broker died', message: t.brokerDied });
  });
  return r;
}

/** Which brokers run: mosquitto only where it is installed. */
function chooseBrokers(o: BenchOptions): { run: BrokerKind[]; skipped: SkippedBroker[] } {
  const wanted: BrokerKind[] = o.broker === 'both' ? ['mosquitto', 'aedes'] : [o.broker];
  const run: BrokerKind[] = [];
  const skipped: SkippedBroker[] = [];
  for (const kind of wanted) {
    if (kind === 'mosquitto' && !hasMosquitto) {
      const reason = 'mosquitto is not installed (apt-get install -y mosquitto): the mosquitto measurements are SKIPPED';
      loud(`SKIPPED: ${reason}`);
      skipped.push({ broker: kind, reason });
    } else {
      run.push(kind);
    }
  }
  return { run, skipped };
}

async function maxStep(o: BenchOptions, devices: number): Promise<MaxResults> {
  if (!o.max && devices < MAX_DEVICES) {
    log(`\nnote: the max-devices step (${n(MAX_DEVICES)} devices in one fleet process, takes minutes) was skipped; pass --max to run it.`);
    return { ran: false, reason: 'skipped by default: pass --max (or --devices ≥ 19000) to run it' };
  }
  if (!hasMosquitto) {
    loud('SKIPPED: the max-devices step needs mosquitto, which is not installed');
    return { ran: false, reason: 'mosquitto is not installed' };
  }
  const target = Math.max(MAX_DEVICES, devices);
  log(`\n[max]       ${n(target)} devices in one FleetPool (child process) against mosquitto, ${MAX_ONLINE_TIMEOUT_MS / 1000} s to come online …`);
  try {
    const result = await measureMaxDevices(target, log);
    log(`[max]       ${n(result.online)}/${n(target)} online after ${s(result.elapsedMs)}, ${n(result.openFds)} fds open in the fleet process`);
    return { ran: true, devices: target, result };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    log(`[max]       !!! ${error}`);
    return { ran: true, devices: target, error };
  }
}

export async function run(o: BenchOptions): Promise<number> {
  const devices = o.devices ?? DEFAULT_DEVICES;
  const startedAt = new Date();
  const machine = machineInfo();
  const fdLimit = machine.openFiles?.soft ?? Number.POSITIVE_INFINITY;
  const runsMax = o.max || devices >= MAX_DEVICES;
  const watchdog = startWatchdog(10 * 60_000 + devices * 60 + (runsMax ? 8 * 60_000 : 0));
  log(`acfleet fleet bench: ${n(devices)} devices, broker ${o.broker}, ${machine.cores} cores, node ${machine.node}, ulimit -n ${machine.openFiles ? `${machine.openFiles.soft} (hard ${machine.openFiles.hard})` : 'unknown'}`);
  log(
    `  telemetry: speed ${telemetrySpeed(devices)} × 10 s interval → ${n(OFFERED_MSGS_PER_SEC)} msgs/s offered, counted for ${WINDOW_MS / 1000} s; fleet workers ${fleetWorkerCount(devices)}, ${CONNECTS_IN_FLIGHT} handshakes in flight each\n`,
  );

  if (devices + FD_HEADROOM > fdLimit) {
    loud(`${n(devices)} devices hold ${n(devices)} sockets in this process (the fleet and baseline threads), close to ulimit -n ${n(fdLimit)}: expect EMFILE failures`);
  }
  const { run: kinds, skipped } = chooseBrokers(o);
  const brokers: BrokerResults[] = [];
  for (const kind of kinds) {
    try {
      brokers.push(await benchBroker(kind, devices));
    } catch (e) {
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      log(`[${kind}] !!! broker setup failed: ${message}`);
      brokers.push({ broker: kind, devices, errors: [{ step: 'broker start/stop', message }] });
    }
    // Let the OS finish closing the last step's sockets before the next broker starts.
    await sleep(1000);
  }
  const max = await maxStep(o, devices);

  const rows = fleetRows(brokers, skipped, max);
  log(`\n${renderTable(rows)}\n`);
  const file = writeResults(o.outDir, 'fleet', startedAt, { scenario: 'fleet', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), options: { ...o, devices }, machine, brokers, skipped, max, rows });
  log(`results: ${file}`);
  clearTimeout(watchdog);
  const failed = brokers.some((b) => b.errors.length > 0) || (max.ran && max.result === undefined);
  return failed ? 1 : 0;
}
