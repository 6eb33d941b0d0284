/**
 * Status updates per second on the durable store: every lean thing works through its queued
 * executions as fast as the answers come (start-next, then UpdateJobExecution IN_PROGRESS and
 * SUCCEEDED, one request in flight per thing). Baseline in the same run, on the same things and
 * store: as many shadow updates per thing, each sent when the previous one was accepted.
 */
import { CloudHttp } from './cloud-http.js';
import { JOB_DOCUMENT } from './jobs-config.js';
import type { LeanCounters, LeanFleet } from './lean-things.js';
import type { StoreReading } from './rollout-cloud-protocol.js';
import type { RolloutCloud } from './rollout-cloud.js';
import { nowMs, sleep, waitForCount } from './time.js';

/** Store writes per execution: start-next (QUEUED → IN_PROGRESS), the step update, SUCCEEDED. */
export const UPDATES_PER_EXECUTION = 3;

export interface UpdatesResult {
  kind: 'jobs' | 'shadow';
  things: number;
  /** Accepted requests each thing had to get through. */
  perThing: number;
  /** Accepted answers the things received. */
  accepted: number;
  rejected: number;
  complete: boolean;
  /** First request → last accepted answer, ms. */
  elapsedMs: number;
  perSec: number;
  /** The same from the cloud's own counter (accepted requests over the cloud's phase). */
  cloudPerSec: number;
  cloud: StoreReading | undefined;
  /** CPU this process (the lean things' driver) spent over the phase, ms: near the wall time, the driver was the limit. */
  driverCpuMs: number;
}

const STALL_MS = 15_000;

async function timed(
  kind: UpdatesResult['kind'],
  cloud: RolloutCloud,
  lean: LeanFleet,
  perThing: number,
  pick: (c: LeanCounters) => number,
  start: () => void,
): Promise<UpdatesResult> {
  const c = lean.counters;
  const from = { done: pick(c), rejected: c.rejected };
  const wanted = lean.size * perThing;
  cloud.phaseStart();
  const cpu0 = process.cpuUsage();
  const t0 = nowMs();
  start();
  const wait = await waitForCount(() => pick(c) - from.done + c.rejected - from.rejected, wanted, { timeoutMs: 60_000 + wanted * 2, stallMs: STALL_MS, pollMs: 5 });
  const cpu = process.cpuUsage(cpu0);
  const reading = await cloud.phaseEnd();
  const accepted = pick(c) - from.done;
  const elapsedMs = accepted > 0 ? c.lastAnswerAt - t0 : Number.NaN;
  const cloudAccepted = reading ? (kind === 'jobs' ? reading.jobsAccepted : reading.shadowRequests - reading.shadowRejected) : Number.NaN;
  return {
    kind,
    things: lean.size,
    perThing,
    accepted,
    rejected: c.rejected - from.rejected,
    complete: wait.reached && accepted === wanted,
    elapsedMs,
    perSec: (accepted * 1000) / elapsedMs,
    cloudPerSec: reading ? (cloudAccepted * 1000) / reading.wallMs : Number.NaN,
    cloud: reading,
    driverCpuMs: (cpu.user + cpu.system) / 1000,
  };
}

export async function shadowUpdates(cloud: RolloutCloud, lean: LeanFleet, perThing: number): Promise<UpdatesResult> {
  await lean.settle();
  return timed('shadow', cloud, lean, perThing, (c) => c.shadowUpdates, () => lean.updateShadows(perThing));
}

/**
 * Creates `jobs` jobs for the group (no rollout limit) while the things hold still, waits until
 * every execution is QUEUED, then lets every thing work through its queue.
 */
export async function jobUpdates(cloud: RolloutCloud, lean: LeanFleet, groupArn: string, jobs: number, prefix: string): Promise<UpdatesResult> {
  const http = new CloudHttp(cloud.httpUrl);
  lean.follow = false;
  const ids = Array.from({ length: jobs }, (_, i) => `${prefix}-${i}`);
  for (const id of ids) await http.createJob(id, { targets: [groupArn], document: JOB_DOCUMENT, targetSelection: 'SNAPSHOT' });
  // Releases without a limit go out in chunks per event-loop turn: wait for the last job's last one.
  for (const id of ids) {
    for (const until = nowMs() + 30_000; nowMs() < until; await sleep(50)) {
      const queued = (await http.describeJob(id)).jobProcessDetails.numberOfQueuedThings;
      if (queued === lean.size) break;
    }
  }
  await lean.settle();
  return timed('jobs', cloud, lean, jobs * UPDATES_PER_EXECUTION, (c) => c.jobUpdates, () => lean.runJobs());
}
