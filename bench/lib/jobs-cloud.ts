/**
 * The cloud under test, in a child process of its own as `acfleet cloud` runs apart from the
 * fleet: with the embedded aedes, or connected as `acfleet-cloud` to a mosquitto this process
 * starts with acfleet's generated ACL and passwords.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLOUD_USERNAME } from '../../src/broker/mosquitto-files.js';
import { fleetThings } from '../../src/cloud/registry/fleet-things.js';
import type { ClockEpoch } from '../../src/core/clock.js';
import { startMosquitto, type RunningMosquitto } from '../../test/helpers/mosquitto.js';
import type { BrokerKind } from './brokers.js';
import { TsChild } from './child.js';
import type { BenchToJobsCloud, CloudPhaseReading, JobsCloudArgs, JobsCloudToBench } from './jobs-cloud-protocol.js';
import { benchJobsConfig, type JobsBrokerSpec } from './jobs-config.js';
import { within } from './time.js';

const CHILD = new URL('./jobs-cloud-child.ts', import.meta.url);

export interface JobsCloud {
  kind: BrokerKind;
  mqttUrl: string;
  /** The cloud's HTTP API (iot, iot-data, iot-jobs-data). */
  httpUrl: string;
  deviceSecret: string;
  clockEpoch: ClockEpoch;
  /** Starts a measured phase: resets the cloud's event-loop histogram and CPU reading. */
  phaseStart(): void;
  /** Ends it: what the cloud process spent since phaseStart(). */
  phaseEnd(): Promise<CloudPhaseReading | undefined>;
  /** Why the cloud went away during the run, if it did. */
  died(): string | undefined;
  stop(): Promise<void>;
}

export async function startJobsCloud(kind: BrokerKind, devices: number): Promise<JobsCloud> {
  const deviceSecret = randomBytes(24).toString('base64url');
  const dir = mkdtempSync(join(tmpdir(), 'acfleet-bench-jobs-'));
  let mosquitto: RunningMosquitto | undefined;
  let child: TsChild<BenchToJobsCloud, JobsCloudToBench> | undefined;
  const crashFile = join(dir, 'crash.txt');
  const cleanUp = async (): Promise<void> => {
    await child?.finish(0);
    await mosquitto?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    let broker: JobsBrokerSpec = { type: 'embedded' };
    if (kind === 'mosquitto') {
      const cloudPassword = randomBytes(18).toString('base64url');
      const config = benchJobsConfig(devices);
      mosquitto = await startMosquitto({ telemetryTemplate: config.telemetry.topic, thingNames: [...fleetThings(config)].map((t) => t.thingName), deviceSecret, cloudPassword });
      broker = { type: 'external', url: mosquitto.url, username: CLOUD_USERNAME, password: cloudPassword };
    }
    const args: JobsCloudArgs = { devices, broker, deviceSecret, crashFile };
    // BENCH_CLOUD_CPU_PROF=DIR: a V8 CPU profile of the cloud process, written to DIR when it stops.
    const profDir = process.env.BENCH_CLOUD_CPU_PROF;
    child = new TsChild<BenchToJobsCloud, JobsCloudToBench>(CHILD, args, profDir ? { nodeFlags: ['--cpu-prof', '--cpu-prof-dir', profDir] } : {});
    const ready = await child.inbox.first(['ready', 'error'], 60_000);
    if (ready?.type !== 'ready') throw new Error(`the cloud did not start: ${ready?.message ?? child.inbox.closedReason ?? 'timed out'}`);
    const c = child;
    let stopped: Promise<void> | undefined;
    let stopping = false;
    return {
      kind,
      mqttUrl: ready.mqttUrl,
      httpUrl: ready.httpUrl,
      deviceSecret,
      clockEpoch: ready.clockEpoch,
      phaseStart: () => c.send({ type: 'phase-start' }),
      phaseEnd: async () => {
        c.send({ type: 'phase-end' });
        return (await c.inbox.next('phase', 10_000))?.reading;
      },
      died: () => (existsSync(crashFile) ? readFileSync(crashFile, 'utf8') : c.exited && !stopping ? `the cloud process exited (${c.inbox.closedReason ?? '?'})` : undefined),
      stop: () =>
        (stopped ??= (async () => {
          stopping = true;
          c.send({ type: 'stop' });
          if ((await c.inbox.next('stopped', 35_000)) === undefined) process.stderr.write('bench: !!! the cloud did not stop within 35 s; killing it\n');
          await c.finish(5_000);
          if ((await within(cleanUp().then(() => true), 30_000)) === undefined) process.stderr.write('bench: !!! stopping mosquitto took over 30 s\n');
        })()),
    };
  } catch (e) {
    await cleanUp();
    throw e;
  }
}
