/**
 * The two measured phases, on the same fleet and cloud. Baseline: every device's shadow round
 * trip (operator sets desired `ledColor` → the device reports it). Measured: one CreateJob for the
 * whole group → every execution SUCCEEDED. Both are timed from the operator's first request to
 * each device's answer seen by the operator; both count the devices' MQTT messages and read what
 * the cloud process spent.
 */
import type { FleetPool } from '../../src/fleet/pool.js';
import type { CloudPhaseReading } from './jobs-cloud-protocol.js';
import type { JobsCloud } from './jobs-cloud.js';
import { JOB_DOCUMENT, JOBS_GROUP } from './jobs-config.js';
import { Arrivals, type JobsOperator } from './jobs-operator.js';
import { summarizeMs, type LatencySummary } from './latency.js';
import { nowMs, sleep, waitForCount } from './time.js';

export interface PhaseResult {
  phase: 'shadow' | 'job';
  devices: number;
  /** Devices whose answer arrived. */
  done: number;
  complete: boolean;
  /** First request → last answer, ms. */
  elapsedMs: number;
  /** Round trips (shadow) or executions (job) per second. */
  perSec: number;
  /** First request → each device's answer. */
  latency: LatencySummary;
  /** MQTT messages the devices sent and received during the phase, per device. */
  deviceMsgsPerDevice: number;
  cloud: CloudPhaseReading | undefined;
  /** Job only: the CreateJob HTTP round trip, ms (every execution is queued inside it). */
  createJobMs?: number;
  /** Job only: execution events other than `succeeded`, by operation. */
  otherEvents?: Record<string, number>;
  /** Job only: DescribeJob's jobProcessDetails afterwards. */
  processDetails?: Record<string, unknown>;
  /** Job only: CreateJob → the job's `completed` event, ms. */
  jobCompletedMs?: number;
}

/** Every device gets this long to answer, plus a per-device allowance. */
const waitBudgetMs = (devices: number): number => 60_000 + devices * 20;
const STALL_MS = 20_000;

const deviceMsgs = (pool: FleetPool): number => {
  const c = pool.stats().counters;
  return c.published + c.received;
};

/**
 * Waits until the devices' message counters have not moved for `quietMs` (stats arrive every
 * 100 ms), so a phase starts on an idle fleet and ends with its stragglers counted.
 */
export async function quiet(pool: FleetPool, quietMs = 600, timeoutMs = 15_000): Promise<number> {
  const until = nowMs() + timeoutMs;
  let last = deviceMsgs(pool);
  let since = nowMs();
  while (nowMs() < until) {
    await sleep(50);
    const v = deviceMsgs(pool);
    if (v !== last) {
      last = v;
      since = nowMs();
    } else if (nowMs() - since >= quietMs) break;
  }
  return last;
}

const thingOfTopic = (topic: string): string | undefined => topic.split('/')[2];

interface Timed {
  arrivals: Arrivals;
  t0: number;
  msgs0: number;
  cloud: CloudPhaseReading | undefined;
  complete: boolean;
}

async function finishPhase(pool: FleetPool, cloud: JobsCloud, devices: number, arrivals: Arrivals, t0: number, msgs0: number): Promise<Timed> {
  const wait = await waitForCount(() => arrivals.count, devices, { timeoutMs: waitBudgetMs(devices), stallMs: STALL_MS, pollMs: 5 });
  const reading = await cloud.phaseEnd();
  return { arrivals, t0, msgs0, cloud: reading, complete: wait.reached };
}

function result(phase: PhaseResult['phase'], devices: number, t: Timed, msgs1: number): PhaseResult {
  const elapsedMs = t.arrivals.lastAt - t.t0;
  return {
    phase,
    devices,
    done: t.arrivals.count,
    complete: t.complete,
    elapsedMs,
    perSec: (t.arrivals.count * 1000) / elapsedMs,
    latency: summarizeMs(t.arrivals.latenciesFrom(t.t0)),
    deviceMsgsPerDevice: (msgs1 - t.msgs0) / devices,
    cloud: t.cloud,
  };
}

/** Baseline: desired `ledColor` for every device over MQTT; done when the device's report is accepted. */
export async function shadowRoundTrips(cloud: JobsCloud, operator: JobsOperator, pool: FleetPool, things: readonly string[], ledColor: string): Promise<PhaseResult> {
  const arrivals = new Arrivals();
  const wanted = `"ledColor":"${ledColor}"`;
  const match = (topic: string, payload: Buffer): string | undefined => {
    // Cheap prefilter; the operator's own desired update is accepted too, without `reported`.
    if (!payload.includes(wanted)) return undefined;
    const doc = JSON.parse(payload.toString()) as { state?: { reported?: { ledColor?: unknown } } };
    return doc.state?.reported?.ledColor === ledColor ? thingOfTopic(topic) : undefined;
  };
  const stop = await operator.watch(['$aws/things/+/shadow/update/accepted'], match, arrivals);
  try {
    const msgs0 = await quiet(pool);
    cloud.phaseStart();
    const body = JSON.stringify({ state: { desired: { ledColor } } });
    const t0 = nowMs();
    for (const t of things) operator.publish(`$aws/things/${t}/shadow/update`, body);
    const timed = await finishPhase(pool, cloud, things.length, arrivals, t0, msgs0);
    return result('shadow', things.length, timed, await quiet(pool));
  } finally {
    await stop();
  }
}

async function http(method: string, url: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Measured: one SNAPSHOT CreateJob for the group; done per device at its `succeeded` execution event. */
export async function jobRollout(cloud: JobsCloud, operator: JobsOperator, pool: FleetPool, devices: number, jobId: string, groupArn: string): Promise<PhaseResult> {
  const arrivals = new Arrivals();
  const other: Record<string, number> = {};
  let completedAt = Number.NaN;
  const match = (topic: string, payload: Buffer): string | undefined => {
    if (!topic.endsWith('/succeeded') || !topic.startsWith('$aws/events/jobExecution/')) return undefined;
    const arn = (JSON.parse(payload.toString()) as { thingArn?: unknown }).thingArn;
    return typeof arn === 'string' ? arn.slice(arn.lastIndexOf('/') + 1) : undefined;
  };
  const onOther = (topic: string): void => {
    if (topic === `$aws/events/job/${jobId}/completed`) completedAt = nowMs();
    else {
      const op = topic.slice(topic.lastIndexOf('/') + 1);
      other[op] = (other[op] ?? 0) + 1;
    }
  };
  const stop = await operator.watch([`$aws/events/jobExecution/${jobId}/+`, `$aws/events/job/${jobId}/completed`], match, arrivals, onOther);
  try {
    const msgs0 = await quiet(pool);
    cloud.phaseStart();
    const t0 = nowMs();
    await http('PUT', `${cloud.httpUrl}/jobs/${jobId}`, { targets: [groupArn], document: JOB_DOCUMENT, targetSelection: 'SNAPSHOT' });
    const createJobMs = nowMs() - t0;
    const timed = await finishPhase(pool, cloud, devices, arrivals, t0, msgs0);
    // The `completed` job event follows the last execution's; give it a moment.
    await waitForCount(() => (Number.isNaN(completedAt) ? 0 : 1), 1, { timeoutMs: 5_000, stallMs: 5_000, pollMs: 5 });
    const msgs1 = await quiet(pool);
    const described = await http('GET', `${cloud.httpUrl}/jobs/${jobId}`);
    const job = described.job as { jobProcessDetails?: Record<string, unknown> } | undefined;
    return {
      ...result('job', devices, timed, msgs1),
      createJobMs,
      otherEvents: other,
      ...(job?.jobProcessDetails ? { processDetails: job.jobProcessDetails } : {}),
      jobCompletedMs: completedAt - t0,
    };
  } finally {
    await stop();
  }
}

export const groupArnOf = (region: string, account: string): string => `arn:aws:iot:${region}:${account}:thinggroup/${JOBS_GROUP}`;
