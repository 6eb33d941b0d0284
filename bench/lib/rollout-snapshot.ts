/**
 * The big SNAPSHOT job: acfleet's real fleet (FleetPool worker threads in this process, the cloud
 * in its own) with an instant job handler, and a CreateJob for the whole group without a rollout
 * limit, timed to the job's `completed` event. Baseline on the same fleet in the same run: one
 * shadow round trip per device. The phases are the jobs bench's (jobs-phases.ts).
 */
import { fleetThings } from '../../src/cloud/registry/fleet-things.js';
import type { FleetCounters } from '../../src/device/context.js';
import type { FleetPool } from '../../src/fleet/pool.js';
import { benchJobsConfig } from './jobs-config.js';
import { JobsOperator } from './jobs-operator.js';
import { groupArnOf, jobRollout, shadowRoundTrips, type PhaseResult } from './jobs-phases.js';
import { withPool } from './pool.js';
import { formatCount as n, formatSeconds as s } from './progress.js';
import type { RolloutCloud } from './rollout-cloud.js';
import { nowMs, waitForCount } from './time.js';

export interface SnapshotRound {
  shadow?: PhaseResult;
  job?: PhaseResult;
}

export interface SnapshotResult {
  devices: number;
  /** FleetPool.start → every device online with its shadow synced, ms. */
  fleetReadyMs: number;
  /** Round 0 warms the cloud up (JIT, first job) and is kept apart. */
  warmup?: SnapshotRound;
  rounds: SnapshotRound[];
}

/** Runs one named step; a failure is recorded and the next step still runs. */
export type Step = (name: string, body: () => Promise<void>) => Promise<void>;

/** Desired colours for the baseline rounds: each differs from what the devices report before it. */
const COLORS = ['yellow', 'purple', 'orange'] as const;

async function fleetUp(pool: FleetPool, devices: number, failure: () => string | undefined): Promise<void> {
  const c = (): FleetCounters => pool.stats().counters;
  const online = await waitForCount(() => c().online, devices, { timeoutMs: 90_000 + devices * 20, stallMs: 15_000, pollMs: 20 });
  // Each device's first message is its shadow get's answer: wait for those, so the cloud is idle when timing starts.
  const synced = online.reached ? await waitForCount(() => c().shadowSyncs, devices, { timeoutMs: 30_000, stallMs: 5_000, pollMs: 20 }) : online;
  if (online.reached && synced.reached) return;
  throw new Error(`the fleet did not come up: ${n(c().online)} online, ${n(c().shadowSyncs)} shadows synced${failure() !== undefined ? `; ${failure() ?? ''}` : ''}`);
}

export async function measureSnapshot(cloud: RolloutCloud, devices: number, rounds: number, step: Step, log: (line: string) => void): Promise<SnapshotResult> {
  const config = { ...benchJobsConfig(devices), speed: cloud.speed };
  const things = [...fleetThings(config)].map((t) => t.thingName);
  const groupArn = groupArnOf(config.region, config.account);
  const result: SnapshotResult = { devices, fleetReadyMs: Number.NaN, rounds: [] };
  const operator = await JobsOperator.connect(cloud.mqttUrl);
  try {
    const t0 = nowMs();
    const poolOptions = { config, brokerUrl: cloud.mqttUrl, deviceSecret: cloud.deviceSecret, clockEpoch: cloud.clockEpoch, logLevel: 'error' as const, statsIntervalMs: 100 };
    await withPool(poolOptions, async ({ pool, failure }) => {
      await fleetUp(pool, devices, failure);
      result.fleetReadyMs = nowMs() - t0;
      log(`fleet     ${n(devices)} devices online, shadows synced after ${s(result.fleetReadyMs)}`);
      for (let i = 0; i <= rounds; i++) {
        const round: SnapshotRound = {};
        if (i === 0) result.warmup = round;
        else result.rounds.push(round);
        const tag = i === 0 ? 'warm-up' : `round ${i}`;
        await step(`${tag} shadow baseline`, async () => {
          round.shadow = await shadowRoundTrips(cloud, operator, pool, things, COLORS[i % COLORS.length] ?? 'yellow');
          log(`shadow    ${tag}: ${n(round.shadow.done)}/${n(devices)} round trips in ${s(round.shadow.elapsedMs)} (${n(round.shadow.perSec)}/s)`);
        });
        await step(`${tag} SNAPSHOT job`, async () => {
          const job = (round.job = await jobRollout(cloud, operator, pool, devices, `snapshot-${i}`, groupArn));
          const loop = job.cloud ? `, cloud loop p99 ${job.cloud.loopP99Ms.toFixed(0)} ms max ${job.cloud.loopMaxMs.toFixed(0)} ms` : '';
          log(`snapshot  ${tag}: ${n(job.done)}/${n(devices)} SUCCEEDED in ${s(job.elapsedMs)}, CreateJob ${n(job.createJobMs ?? Number.NaN)} ms, COMPLETED event at ${s(job.jobCompletedMs ?? Number.NaN)}${loop}`);
        });
      }
      const f = failure();
      if (f !== undefined) throw new Error(f);
    });
  } finally {
    await operator.close();
  }
  return result;
}
