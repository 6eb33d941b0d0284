/** The jobs bench's results: what is written to JSON, and the table of jobs against the shadow baseline. */
import type { BrokerKind } from './brokers.js';
import type { PhaseResult } from './jobs-phases.js';

export interface Round {
  shadow?: PhaseResult;
  job?: PhaseResult;
}

export interface JobsBrokerResult {
  broker: BrokerKind;
  devices: number;
  /** FleetPool.start → every device online and its shadow synced, ms. */
  fleetReadyMs: number;
  /** The first round, which warms the cloud up: not in the means. */
  warmup?: Round;
  /** Round by round: a shadow baseline, then a job rollout, on the same fleet. */
  rounds: Round[];
  errors: { step: string; message: string }[];
}

export interface JobsRow {
  broker: string;
  measure: string;
  jobs: string;
  baseline: string;
  /** jobs ÷ baseline */
  ratio: number | undefined;
}

const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);
const mean = (vs: (number | undefined)[]): number | undefined => {
  const ok = vs.filter(finite);
  return ok.length === 0 ? undefined : ok.reduce((a, b) => a + b, 0) / ok.length;
};
const fmt = (v: number | undefined, unit: string, digits = 0): string =>
  finite(v) ? `${v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`.trimEnd() : '—';
const ratioOf = (a: number | undefined, b: number | undefined): number | undefined => (finite(a) && finite(b) && b !== 0 ? a / b : undefined);

/** A measure averaged over the rounds, for the job phases and the shadow phases. */
function both(r: JobsBrokerResult, pick: (p: PhaseResult) => number | undefined): { job: number | undefined; shadow: number | undefined } {
  return {
    job: mean(r.rounds.map((x) => (x.job?.complete ? pick(x.job) : undefined))),
    shadow: mean(r.rounds.map((x) => (x.shadow?.complete ? pick(x.shadow) : undefined))),
  };
}

export function jobsRows(results: readonly JobsBrokerResult[]): JobsRow[] {
  const rows: JobsRow[] = [];
  for (const r of results) {
    const row = (measure: string, pick: (p: PhaseResult) => number | undefined, unitJob: string, unitShadow: string, digits = 0): void => {
      const v = both(r, pick);
      rows.push({ broker: r.broker, measure, jobs: fmt(v.job, unitJob, digits), baseline: fmt(v.shadow, unitShadow, digits), ratio: ratioOf(v.job, v.shadow) });
    };
    row('throughput (jobs: executions/s, baseline: shadow round trips/s)', (p) => p.perSec, 'exec/s', 'rt/s');
    row('per-device latency p50 (request → done)', (p) => p.latency.p50Ms, 'ms', 'ms');
    row('per-device latency p99', (p) => p.latency.p99Ms, 'ms', 'ms');
    row('device MQTT messages (sent + received) per device', (p) => p.deviceMsgsPerDevice, 'msgs', 'msgs', 1);
    row('cloud CPU per device (aedes: broker included)', (p) => (p.cloud ? (p.cloud.cpuMs * 1000) / p.devices : undefined), 'µs', 'µs');
    row('cloud event-loop delay p99', (p) => p.cloud?.loopP99Ms, 'ms', 'ms', 1);
    const create = mean(r.rounds.map((x) => x.job?.createJobMs));
    rows.push({ broker: r.broker, measure: `CreateJob HTTP round trip (queues ${r.devices.toLocaleString('en-US')} executions)`, jobs: fmt(create, 'ms', 1), baseline: '', ratio: undefined });
  }
  return rows;
}

export function renderJobsTable(rows: readonly JobsRow[]): string {
  const header = ['broker', 'measure', 'jobs', 'shadow baseline', 'ratio'];
  const cells = rows.map((r) => [r.broker, r.measure, r.jobs, r.baseline, finite(r.ratio) ? `${r.ratio.toFixed(2)}×` : '']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const right = new Set([2, 3, 4]);
  const line = (c: readonly string[]): string => c.map((v, i) => (right.has(i) ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
