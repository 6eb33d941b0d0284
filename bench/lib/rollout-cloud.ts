/**
 * The rollout bench's cloud: a child process (rollout-cloud-child.ts) with a state database FILE
 * and a chosen simulation speed, on the embedded aedes or on a mosquitto this process starts with
 * acfleet's generated ACL and passwords. It answers as the jobs bench's cloud does (JobsCloud), so
 * that bench's phases run against it unchanged.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLOUD_USERNAME } from '../../src/broker/mosquitto-files.js';
import { fleetThings } from '../../src/cloud/registry/fleet-things.js';
import { startMosquitto, type RunningMosquitto } from '../../test/helpers/mosquitto.js';
import type { BrokerKind } from './brokers.js';
import { TsChild } from './child.js';
import type { JobsCloud } from './jobs-cloud.js';
import { benchJobsConfig, type JobsBrokerSpec } from './jobs-config.js';
import type { BenchToRolloutCloud, RolloutCloudArgs, RolloutCloudToBench, StoreReading } from './rollout-cloud-protocol.js';
import { within } from './time.js';

const CHILD = new URL('./rollout-cloud-child.ts', import.meta.url);

export interface RolloutCloud extends JobsCloud {
  speed: number;
  statePath: string;
  phaseEnd(): Promise<StoreReading | undefined>;
}

type Child = TsChild<BenchToRolloutCloud, RolloutCloudToBench>;

/** Where the services meet mosquitto: started here, with the fleet's things in its password file. */
async function mosquittoFor(devices: number, deviceSecret: string): Promise<{ spec: JobsBrokerSpec; mosquitto: RunningMosquitto }> {
  const config = benchJobsConfig(devices);
  const password = randomBytes(18).toString('base64url');
  const thingNames = [...fleetThings(config)].map((t) => t.thingName);
  const mosquitto = await startMosquitto({ telemetryTemplate: config.telemetry.topic, thingNames, deviceSecret, cloudPassword: password });
  return { spec: { type: 'external', url: mosquitto.url, username: CLOUD_USERNAME, password }, mosquitto };
}

export async function startRolloutCloud(kind: BrokerKind, devices: number, speed: number): Promise<RolloutCloud> {
  const dir = mkdtempSync(join(tmpdir(), 'acfleet-bench-rollout-'));
  const deviceSecret = randomBytes(24).toString('base64url');
  const args: RolloutCloudArgs = { devices, broker: { type: 'embedded' }, deviceSecret, crashFile: join(dir, 'crash.txt'), speed, statePath: join(dir, 'state.db') };
  let mosquitto: RunningMosquitto | undefined;
  let child: Child | undefined;
  const crash: { report?: string } = {};
  const release = async (): Promise<void> => {
    await child?.finish(0);
    await mosquitto?.stop();
    // Kept before the directory goes: the bench asks why the cloud died after stopping it.
    if (existsSync(args.crashFile)) crash.report = readFileSync(args.crashFile, 'utf8');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (kind === 'mosquitto') ({ spec: args.broker, mosquitto } = await mosquittoFor(devices, deviceSecret));
    // BENCH_CLOUD_CPU_PROF=DIR: a V8 CPU profile of the cloud process, written to DIR when it stops.
    const prof = process.env.BENCH_CLOUD_CPU_PROF;
    child = new TsChild<BenchToRolloutCloud, RolloutCloudToBench>(CHILD, args, prof ? { nodeFlags: ['--cpu-prof', '--cpu-prof-dir', prof] } : {});
    const ready = await child.inbox.first(['ready', 'error'], 60_000);
    if (ready?.type !== 'ready') throw new Error(`the cloud did not start: ${ready?.message ?? child.inbox.closedReason ?? 'timed out'}`);
    return connected(kind, child, ready, args, release, crash);
  } catch (e) {
    await release();
    throw e;
  }
}

function connected(kind: BrokerKind, child: Child, ready: Extract<RolloutCloudToBench, { type: 'ready' }>, args: RolloutCloudArgs, release: () => Promise<void>, crash: { report?: string }): RolloutCloud {
  let stopping: Promise<void> | undefined;
  /** The child was gone before the bench asked it to stop: it died during the run. */
  let diedEarly = false;
  const stop = async (): Promise<void> => {
    diedEarly = child.exited;
    child.send({ type: 'stop' });
    if ((await child.inbox.next('stopped', 35_000)) === undefined && !child.exited) process.stderr.write('bench: !!! the cloud did not stop within 35 s; killing it\n');
    await child.finish(5_000);
    if ((await within(release().then(() => true), 30_000)) === undefined) process.stderr.write('bench: !!! stopping mosquitto took over 30 s\n');
  };
  return {
    kind,
    mqttUrl: ready.mqttUrl,
    httpUrl: ready.httpUrl,
    deviceSecret: args.deviceSecret,
    clockEpoch: ready.clockEpoch,
    speed: args.speed,
    statePath: args.statePath,
    phaseStart: () => child.send({ type: 'phase-start' }),
    phaseEnd: async () => {
      child.send({ type: 'phase-end' });
      return (await child.inbox.next('phase', 10_000))?.reading;
    },
    died: () => {
      if (crash.report === undefined && existsSync(args.crashFile)) crash.report = readFileSync(args.crashFile, 'utf8');
      if (crash.report !== undefined) return crash.report;
      return child.exited && (stopping === undefined || diedEarly) ? `the cloud process exited during the run (${child.inbox.closedReason ?? '?'})` : undefined;
    },
    stop: () => (stopping ??= stop()),
  };
}
