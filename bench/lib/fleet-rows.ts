/** The fleet scenario's results as table rows: one per measure per broker, each against its baseline. */
import type { BrokerResults, MaxResults, SkippedBroker } from './fleet-results.js';
import { median } from './latency.js';
import { ratioOf, type Row, type Verdict } from './report.js';

export const TARGET_CONNECTS_PER_SEC = 1_000;
export const TARGET_MEMORY_RATIO = 1.3;

const verdict = (ok: boolean | undefined): Verdict => (ok === undefined ? 'ERROR' : ok ? 'PASS' : 'MISS');
const fin = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);
const rate = (n: number | undefined, ms: number | undefined): number | undefined => (fin(n) && fin(ms) && ms > 0 ? (n * 1000) / ms : undefined);

function connectRows(r: BrokerResults): Row[] {
  const f = r.fleetConnect;
  const b = r.bareConnect;
  const fleetRate = rate(f?.online, f?.elapsedMs);
  const bareRate = rate(b?.connected, b?.elapsedMs);
  const incomplete = [
    f && !f.complete ? `acfleet: ${f.online}/${f.devices} online${f.failure ? ` (${f.failure})` : ''}` : '',
    f && f.complete && f.shadowSynced < f.devices ? `acfleet: only ${f.shadowSynced}/${f.devices} devices had their shadow get answered (the rest never retry)` : '',
    b && !b.complete ? `bare: ${b.connected}/${b.devices} (${b.lastError ?? 'timed out'})` : '',
  ]
    .filter(Boolean)
    .join('; ');
  const fleetAfterBoot = rate(f ? f.online - 1 : undefined, f ? f.elapsedMs - f.firstMs : undefined);
  const bareAfterBoot = rate(b ? b.connected - 1 : undefined, b ? b.elapsedMs - b.firstMs : undefined);
  return [
    {
      broker: r.broker,
      measure: 'connect rate, start → all online',
      unit: 'devices/s',
      acfleet: fleetRate,
      baseline: bareRate,
      ratio: ratioOf(fleetRate, bareRate),
      target: `≥ ${TARGET_CONNECTS_PER_SEC.toLocaleString('en-US')}/s`,
      result: verdict(fin(fleetRate) ? fleetRate >= TARGET_CONNECTS_PER_SEC && f?.complete === true : undefined),
      ...(incomplete ? { note: incomplete } : {}),
    },
    {
      broker: r.broker,
      measure: 'connect rate, first → all online',
      unit: 'devices/s',
      acfleet: fleetAfterBoot,
      baseline: bareAfterBoot,
      ratio: ratioOf(fleetAfterBoot, bareAfterBoot),
      target: '—',
      result: 'info',
    },
    {
      broker: r.broker,
      measure: 'thread start → first online',
      unit: 'ms',
      acfleet: f?.firstMs,
      baseline: b?.firstMs,
      ratio: ratioOf(f?.firstMs, b?.firstMs),
      target: '—',
      result: 'info',
    },
  ];
}

function memoryRows(r: BrokerResults): Row[] {
  const f = r.fleetMemory;
  const b = r.bareMemory;
  const partial = [f && f.ready < f.devices ? `acfleet: ${f.ready}/${f.devices} ready` : '', b && b.ready < b.devices ? `bare: ${b.ready}/${b.devices} ready` : ''].filter(Boolean).join('; ');
  const row = (measure: string, a: number | undefined, base: number | undefined): Row => {
    const ratio = ratioOf(a, base);
    return {
      broker: r.broker,
      measure,
      unit: 'bytes',
      acfleet: a,
      baseline: base,
      ratio,
      target: `ratio ≤ ${TARGET_MEMORY_RATIO}`,
      result: verdict(fin(ratio) ? ratio <= TARGET_MEMORY_RATIO : undefined),
      ...(partial ? { note: partial } : {}),
    };
  };
  return [row('memory/device (heapUsed)', f?.heapPerDevice, b?.heapPerDevice), row('memory/device (rss)', f?.rssPerDevice, b?.rssPerDevice)];
}

function telemetryRows(r: BrokerResults): Row[] {
  const f = r.fleetTelemetry;
  const b = r.bareTelemetry;
  const offered = f?.offeredPerSec;
  const fleetLoop = f ? median(f.loopP99Ms) : undefined;
  const bareLoop = b ? median(b.loopP99Ms) : undefined;
  const problems = [f?.failure, b?.failure, f?.brokerDied ? 'the broker died during the acfleet run' : undefined, b?.brokerDied ? 'the broker died during the baseline run' : undefined, f && f.online < f.devices ? `acfleet: only ${f.online}/${f.devices} online` : undefined].filter(Boolean).join('; ');
  return [
    {
      broker: r.broker,
      measure: 'telemetry received',
      unit: 'msgs/s',
      acfleet: f?.receivedPerSec,
      baseline: b?.receivedPerSec,
      ratio: ratioOf(f?.receivedPerSec, b?.receivedPerSec),
      target: '—',
      result: f && b ? 'info' : 'ERROR',
      note: `acfleet offered ${fin(offered) ? Math.round(offered).toLocaleString('en-US') : '?'} msgs/s; baseline publishes as fast as sockets drain${problems ? `; ${problems}` : ''}`,
    },
    {
      broker: r.broker,
      measure: 'telemetry sent by clients',
      unit: 'msgs/s',
      acfleet: f?.sentPerSec,
      baseline: b?.sentPerSec,
      ratio: ratioOf(f?.sentPerSec, b?.sentPerSec),
      target: '—',
      result: 'info',
    },
    {
      broker: r.broker,
      measure: 'worker event-loop p99 (median 1-s)',
      unit: 'ms',
      acfleet: fleetLoop,
      baseline: bareLoop,
      ratio: ratioOf(fleetLoop, bareLoop),
      target: '—',
      result: f && b ? 'info' : 'ERROR',
      ...(f && b ? { note: `worst 1-s window: acfleet ${Math.max(...f.loopP99Ms, 0).toFixed(1)} ms, baseline ${Math.max(...b.loopP99Ms, 0).toFixed(1)} ms` } : {}),
    },
  ];
}

function errorRows(r: BrokerResults): Row[] {
  return r.errors.map((e) => ({ broker: r.broker, measure: `step failed: ${e.step}`, unit: 'ms', acfleet: undefined, baseline: undefined, ratio: undefined, target: '—', result: 'ERROR', note: e.message.split('\n')[0] ?? e.message }));
}

function maxRows(m: MaxResults): Row[] {
  if (!m.ran) return [{ broker: 'mosquitto', measure: 'max devices in one fleet process', unit: 'devices', acfleet: undefined, baseline: undefined, ratio: undefined, target: '—', result: 'SKIP', note: m.reason }];
  const r = m.result;
  return [
    {
      broker: 'mosquitto',
      measure: 'max devices in one fleet process',
      unit: 'devices',
      acfleet: r?.online,
      baseline: undefined,
      ratio: undefined,
      target: `${m.devices.toLocaleString('en-US')} online`,
      result: verdict(r ? r.online >= m.devices : undefined),
      note: r
        ? `${r.online.toLocaleString('en-US')}/${m.devices.toLocaleString('en-US')} online after ${(r.elapsedMs / 1000).toFixed(1)} s (${Math.round((r.online * 1000) / r.elapsedMs).toLocaleString('en-US')}/s); ${r.counters.connectFailures} failed connects; child rss ${(r.rss / 2 ** 20).toFixed(0)} MiB (${Math.round(r.rss / Math.max(1, r.online)).toLocaleString('en-US')} B/device), ${r.openFds.toLocaleString('en-US')} open fds${r.failure ? `; ${r.failure}` : ''}`
        : (m.error ?? 'no result'),
    },
  ];
}

export function fleetRows(brokers: readonly BrokerResults[], skipped: readonly SkippedBroker[], max: MaxResults): Row[] {
  const rows: Row[] = [];
  for (const s of skipped) rows.push({ broker: s.broker, measure: 'all measures', unit: 'ms', acfleet: undefined, baseline: undefined, ratio: undefined, target: '—', result: 'SKIP', note: s.reason });
  for (const r of brokers) rows.push(...connectRows(r), ...memoryRows(r), ...telemetryRows(r), ...errorRows(r));
  rows.push(...maxRows(max));
  return rows;
}
