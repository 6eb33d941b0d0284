/**
 * The job handlers of issue 6 §1 end to end: real thermostats (MQTT.js over TCP) against an
 * in-process cloud, jobs created through the unmodified AWS SDK. A download of a presigned file
 * from the local file host, an altered URL (403), an APT_UPDATE, a reboot that completes after
 * the device reconnects, AWS-Install-Application from the managed template, and an injected
 * crash mid-job (the broker sees the connection lost, not a DISCONNECT) that the device recovers
 * from by resuming the execution.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateJobCommand, DescribeJobExecutionCommand, type JobExecution } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { mulberry32 } from '../../src/core/random.js';
import { newCounters, type DeviceContext, type GroupRuntime } from '../../src/device/context.js';
import { NO_FAULTS, type DeviceFaults } from '../../src/device/faults.js';
import { DeviceState } from '../../src/device/lifecycle.js';
import { Thermostat } from '../../src/device/thermostat.js';
import { FifoConnectGate } from '../../src/fleet/connect-gate.js';
import { WorkerScheduler } from '../../src/fleet/scheduler.js';
import { mqttJsFactory } from '../../src/transport/mqttjs.js';
import { startJobsStack, type JobsStack } from '../helpers/jobs-stack.js';
import { connectClient, eventually } from '../helpers/mqtt.js';
import { MessageLog } from '../helpers/played-jobs-device.js';

const ACCOUNT_ARN = 'arn:aws:iot:us-east-1:123456789012';
const SAMPLE = 'sample file served by the local file host\n'.repeat(100);
const SAMPLE_SHA256 = createHash('sha256').update(SAMPLE).digest('hex');
/** Simulated ms; the cloud's clock runs 10× (testFleetConfig), which the devices follow. */
const STEP_MS = 1_000;
const BOOT_MS = 3_000;

const dir = mkdtempSync(join(tmpdir(), 'acfleet-handlers-'));
const filesDir = join(dir, 's3');
mkdirSync(join(filesDir, 'fw-bucket', 'v2'), { recursive: true });
writeFileSync(join(filesDir, 'fw-bucket', 'v2', 'sample_file'), SAMPLE);

const thing = (i: number): string => `Alpha-${String(i).padStart(5, '0')}`;

/** Device 6's group crashes the device in the middle of job crash-6. */
const CRASHING: DeviceFaults = { ...NO_FAULTS, execution: (_thing, jobId) => (jobId === 'crash-6' ? { fault: 'crash', durationMs: 4_000, crashAt: 0.5 } : {}) };

let s: JobsStack;
/** Presence events: how each device went away. */
let presence: MessageLog;
let closeWatcher: () => Promise<void>;
let scheduler: WorkerScheduler;
let ctx: DeviceContext;
const devices = new Map<string, Thermostat>();

beforeAll(async () => {
  s = await startJobsStack({ alpha: 6, beta: 1, filesDirectory: filesDir });
  const watcher = await connectClient(s.stack.cloud.mqttUrl, { clientId: 'handlers-presence-watcher' });
  await watcher.subscribeAsync('$aws/events/presence/disconnected/+', { qos: 1 });
  presence = new MessageLog(watcher);
  closeWatcher = () => watcher.endAsync(true);
  const clock = new ScaledClock(s.stack.cloud.clockEpoch);
  scheduler = new WorkerScheduler(clock);
  ctx = {
    clock,
    timers: scheduler,
    gate: new FifoConnectGate(5),
    connections: mqttJsFactory({ url: s.stack.cloud.mqttUrl }),
    log: silentLogger(),
    counters: newCounters(),
    random: mulberry32(3),
    telemetry: { intervalMs: 600_000, qos: 0, topicTemplate: 'dt/acfleet/{location}/{thingName}/telemetry' },
    device: { keepaliveMs: 60_000, reconnectMinMs: 1_000, reconnectMaxMs: 10_000, jobStepMs: STEP_MS, bootMs: BOOT_MS },
    deviceSecret: s.deviceSecret,
  };
  const group: GroupRuntime = { name: 'Alpha', locationId: 'sao-paulo', site: { climate: { meanTemp: 21, dailySwing: 9, humidity: 78 }, lon: -46.63 }, faults: NO_FAULTS };
  for (let i = 1; i <= 6; i++) {
    const d = new Thermostat({ thingName: thing(i), deviceSeed: i, group: i === 6 ? { ...group, faults: CRASHING } : group, settings: { ledColor: 'red', tempUnit: 'fahrenheit', setpoint: 22, power: 'on' }, firmwareVersion: '1.0.4' }, ctx);
    devices.set(thing(i), d);
    d.start();
  }
  // Online, shadow synced, and start-next answered (an empty queue): ready for notify-next.
  await eventually(() => ([...devices.values()].every((d) => d.state === DeviceState.Online) && ctx.counters.shadowSyncs >= devices.size ? true : undefined), 'every device online');
});

afterAll(async () => {
  for (const d of devices.values()) await d.stop();
  scheduler?.stop();
  await closeWatcher?.().catch(() => undefined);
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

function device(i: number): Thermostat {
  const d = devices.get(thing(i));
  if (!d) throw new Error(`no device ${thing(i)}`);
  return d;
}

async function createJob(jobId: string, i: number, o: { document?: unknown; template?: string; parameters?: Record<string, string> }): Promise<void> {
  await s.iot.send(
    new CreateJobCommand({
      jobId,
      targets: [`${ACCOUNT_ARN}:thing/${thing(i)}`],
      ...(o.document === undefined ? {} : { document: JSON.stringify(o.document) }),
      ...(o.template === undefined ? {} : { jobTemplateArn: `arn:aws:iot:us-east-1::jobtemplate/${o.template}:1.0`, documentParameters: o.parameters }),
      presignedUrlConfig: { roleArn: `${ACCOUNT_ARN}:role/s3-access`, expiresInSec: 600 },
    }),
  );
}

/** The execution once terminal. */
const finished = (jobId: string, i: number): Promise<JobExecution> =>
  eventually(
    async () => {
      const { execution } = await s.iot.send(new DescribeJobExecutionCommand({ jobId, thingName: thing(i) }));
      return execution && execution.status !== 'QUEUED' && execution.status !== 'IN_PROGRESS' ? execution : undefined;
    },
    `${jobId} on ${thing(i)} to finish`,
    20_000,
  );

type Reported = Record<string, unknown>;
const reported = async (i: number): Promise<Reported> => {
  const doc = (await (await fetch(`${s.http}/things/${thing(i)}/shadow`)).json()) as { state: { reported?: Reported } };
  return doc.state.reported ?? {};
};
/** The shadow once `probe` finds what it waits for (the shadow service may trail the jobs service by a message). */
const shadowWith = (i: number, probe: (r: Reported) => boolean): Promise<Reported> =>
  eventually(async () => {
    const r = await reported(i);
    return probe(r) ? r : undefined;
  }, `${thing(i)}'s shadow`);

describe('job handlers on real thermostats', () => {
  it('downloads a presigned file from the local file host: SUCCEEDED, bytes reported, the file in the shadow', async () => {
    await createJob('download-sample', 1, {
      document: {
        operation: 'download',
        version: '1.0',
        directory: '/installs',
        files: { fileName: 'sample_file', url: '${aws:iot:s3-presigned-url:https://fw-bucket.s3.amazonaws.com/v2/sample_file}', sha256: SAMPLE_SHA256 },
      },
    });
    const exec = await finished('download-sample', 1);
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.statusDetails?.detailsMap).toEqual({ files: '1', bytes: String(SAMPLE.length) });
    const r = await shadowWith(1, (x) => x.files !== undefined);
    expect(r.files).toEqual({ '/installs/sample_file': { bytes: SAMPLE.length, sha256: SAMPLE_SHA256 } });
  });

  it('an altered presigned URL gets a 403: FAILED with the reason, nothing stored', async () => {
    const forged = `${s.http}/_acfleet/files/fw-bucket/v2/sample_file?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=600&X-Amz-Signature=${'0'.repeat(64)}`;
    await createJob('download-forged', 2, { document: { operation: 'download', files: [{ fileName: 'sample_file', url: forged }] } });
    const exec = await finished('download-forged', 2);
    expect(exec.status).toBe('FAILED');
    expect(exec.statusDetails?.detailsMap?.reason).toMatch(/^sample_file: HTTP 403 Forbidden/);
    expect(device(2).storage?.files?.size ?? 0).toBe(0);
  });

  it('APT_UPDATE installs the package into the list the shadow shows', async () => {
    await createJob('apt-cowsay', 3, { document: { jobType: 'APT_UPDATE', aptPackageName: 'cowsay' } });
    const exec = await finished('apt-cowsay', 3);
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.statusDetails?.detailsMap).toMatchObject({ package: 'cowsay' });
    expect((await shadowWith(3, (x) => x.packages !== undefined)).packages).toEqual(['cowsay']);
  });

  it('a reboot: the device disconnects, comes back after its boot time and completes the execution', async () => {
    const d = device(4);
    const connectsBefore = ctx.counters.connects;
    const disconnectsBefore = ctx.counters.disconnects;
    const startedBefore = ctx.counters.jobsStarted;
    await createJob('reboot-4', 4, { document: { operation: 'reboot' } });
    const exec = await finished('reboot-4', 4);
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.statusDetails?.detailsMap).toEqual({ step: 'rebooted' });
    expect(ctx.counters.connects).toBe(connectsBefore + 1);
    expect(ctx.counters.disconnects).toBe(disconnectsBefore + 1);
    expect(d.state).toBe(DeviceState.Online);
    // A reboot says goodbye: an MQTT DISCONNECT.
    expect(presence.on(`$aws/events/presence/disconnected/${thing(4)}`).map((m) => m.json.disconnectReason)).toEqual(['CLIENT_INITIATED_DISCONNECT']);
    // Counted once, although the device ran the execution twice (before and after its reboot).
    expect(ctx.counters.jobsStarted).toBe(startedBefore + 1);
  });

  it('AWS-Install-Application from the managed template installs the packages and starts their services', async () => {
    await createJob('install-app', 5, { template: 'AWS-Install-Application', parameters: { packages: 'nginx curl' } });
    const exec = await finished('install-app', 5);
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.statusDetails?.detailsMap).toMatchObject({ packages: 'nginx curl', actions: '1' });
    const r = await shadowWith(5, (x) => x.packages !== undefined);
    expect(r).toMatchObject({ packages: ['curl', 'nginx'], services: { nginx: 'running' } });
  });

  it('an injected crash drops the connection without a word; the device boots, resumes the execution and applies it once', async () => {
    const connectsBefore = ctx.counters.connects;
    const startedBefore = ctx.counters.jobsStarted;
    await createJob('crash-6', 6, { document: { tempUnit: 'celsius', ledColor: 'green' } });
    const exec = await finished('crash-6', 6);
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.statusDetails?.detailsMap).toEqual({ tempUnit: 'celsius', ledColor: 'green' });
    expect(presence.on(`$aws/events/presence/disconnected/${thing(6)}`).map((m) => m.json.disconnectReason)).toEqual(['CONNECTION_LOST']);
    expect(ctx.counters.connects).toBe(connectsBefore + 1);
    expect(ctx.counters.jobsStarted).toBe(startedBefore + 1);
    expect(await shadowWith(6, (x) => x.tempUnit === 'celsius')).toMatchObject({ tempUnit: 'celsius', ledColor: 'green' });
  });
});
