/**
 * Rate accuracy: one CreateJob for the group with `maximumPerMinute`, on a cloud at speed > 1.
 * Releases are seen twice: when each thing's notify-next arrives (the devices' side, converted to
 * simulated time through the cloud's clock epoch) and as the executions' queuedAt (the store's).
 * The things either only take note (`hold`: what is measured is the rollout engine and the
 * notifications' delivery; the job is then canceled so the next one starts on empty queues) or
 * also run each execution at once (`run`: the same with the load a fleet with an instant handler
 * adds, which at speed 60 is 60 times the configured rate in wall time).
 */
export type RateMode = 'hold' | 'run';

import { CloudHttp } from './cloud-http.js';
import { median } from './latency.js';
import { JOB_DOCUMENT } from './jobs-config.js';
import type { LeanFleet } from './lean-things.js';
import { deviceMinutes, meanRatePerMinute, queuedMinutes, slidingMinute, toSimMs, type MinuteCounts, type SlidingWindow } from './rate-minutes.js';
import type { StoreReading } from './rollout-cloud-protocol.js';
import type { RolloutCloud } from './rollout-cloud.js';
import { nowMs, waitForCount } from './time.js';

export interface RateResult {
  jobId: string;
  mode: RateMode;
  maximumPerMinute: number;
  targets: number;
  /** Things whose notify-next named the job. */
  released: number;
  complete: boolean;
  jobStatus: string;
  device: MinuteCounts;
  store: MinuteCounts;
  /** Releases in every minute-long window that starts at a release: devices' side, and queuedAt (whole seconds). */
  sliding: SlidingWindow | undefined;
  storeSliding: SlidingWindow | undefined;
  /** First to last release, per simulated minute (devices' side). */
  meanPerMinute: number;
  /** Job creation (its createdAt) → the first notify-next at a device, wall ms. */
  firstReleaseDelayMs: number;
  /** Median of arrival − scheduled release (createdAt + i × spacing), wall ms: the devices' minutes are shifted by it. */
  medianDelayMs: number;
  /** CreateJob → last notify-next, wall ms. */
  wallMs: number;
  /** Simulated now from GET /_acfleet/clock minus what the announced epoch gives here, ms: the two processes agree. */
  clockSkewSimMs: number;
  /** Things with more than one execution, or executions in a status other than expected. */
  anomalies: string[];
  cloud: StoreReading | undefined;
}

export async function measureRate(cloud: RolloutCloud, lean: LeanFleet, groupArn: string, maximumPerMinute: number, jobId: string, mode: RateMode): Promise<RateResult> {
  const http = new CloudHttp(cloud.httpUrl);
  const targets = lean.size;
  lean.follow = mode === 'run';
  // Whatever the last phase left in flight would delay this job's first notifications.
  await lean.settle();
  const before = await http.clock();
  const clockSkewSimMs = before.now - toSimMs(cloud.clockEpoch, nowMs());
  cloud.phaseStart();
  const t0 = nowMs();
  await http.createJob(jobId, { targets: [groupArn], document: JOB_DOCUMENT, targetSelection: 'SNAPSHOT', jobExecutionsRolloutConfig: { maximumPerMinute } });
  // The whole rollout takes targets/rate simulated minutes; a stall is ten release spacings of silence (at least 10 s).
  const expectedWallMs = (targets / maximumPerMinute) * (60_000 / cloud.speed);
  const spacingWallMs = 60_000 / maximumPerMinute / cloud.speed;
  const seen = await waitForCount(() => lean.releases.count(jobId), targets, { timeoutMs: expectedWallMs * 1.5 + 30_000, stallMs: Math.max(10_000, spacingWallMs * 10), pollMs: 20 });
  const wallMs = nowMs() - t0;
  // run: the last executions finish right after their release, and the job completes.
  let job = mode === 'run' ? await http.settledJob(jobId, 15_000) : await http.describeJob(jobId);
  const reading = await cloud.phaseEnd();
  const executions = await http.executions(jobId);
  if (mode === 'hold') {
    await http.cancelJob(jobId);
    job = { ...job, status: (await http.settledJob(jobId, 15_000)).status };
  }

  const arrivals = lean.releases.times(jobId).map((w) => toSimMs(cloud.clockEpoch, w));
  const expected = mode === 'run' ? 'SUCCEEDED' : 'QUEUED';
  const anomalies: string[] = [];
  const perThing = new Map<string, number>();
  for (const e of executions) perThing.set(e.thing, (perThing.get(e.thing) ?? 0) + 1);
  const repeated = [...perThing.values()].filter((n) => n > 1).length;
  if (repeated > 0) anomalies.push(`${repeated} things have more than one execution`);
  const byStatus = new Map<string, number>();
  for (const e of executions) if (e.status !== expected) byStatus.set(e.status, (byStatus.get(e.status) ?? 0) + 1);
  if (byStatus.size > 0) anomalies.push(`executions not ${expected}: ${JSON.stringify(Object.fromEntries(byStatus))}`);
  if (executions.length !== targets) anomalies.push(`${executions.length} executions for ${targets} targets`);
  const first = arrivals[0];
  return {
    jobId,
    mode,
    maximumPerMinute,
    targets,
    released: seen.value,
    complete: seen.reached,
    jobStatus: job.status,
    device: deviceMinutes(arrivals, job.createdAt * 1000, maximumPerMinute),
    store: queuedMinutes(
      executions.map((e) => e.queuedAt),
      job.createdAt,
      maximumPerMinute,
    ),
    sliding: slidingMinute(arrivals),
    storeSliding: slidingMinute(
      executions
        .map((e) => e.queuedAt * 1000)
        .filter((t) => t >= Math.ceil(job.createdAt) * 1000)
        .sort((a, b) => a - b),
    ),
    meanPerMinute: meanRatePerMinute(arrivals),
    firstReleaseDelayMs: first === undefined ? Number.NaN : (first - job.createdAt * 1000) / cloud.speed,
    medianDelayMs: median(arrivals.map((t, i) => t - (job.createdAt * 1000 + (i * 60_000) / maximumPerMinute))) / cloud.speed,
    wallMs,
    clockSkewSimMs,
    anomalies,
    cloud: reading,
  };
}
