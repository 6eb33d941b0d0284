/**
 * Seeded faults as a rollout sees them (issue 6 §3): a real `acfleet up --speed 60` whose groups
 * carry faults in fleet.yaml, jobs created through the AWS SDK.
 * - 500 devices with `fail: 0.2` and an abort at 10 % after 50 executed: the job is canceled at the
 *   first terminal execution where the criterion holds, as the operator's event stream shows.
 * - `hang` with an in-progress timeout: TIMED_OUT, then retried when configured.
 * - `offline: {never: 1}` devices: their executions stay QUEUED.
 * - The same seed gives the same failing devices on a second run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateJobCommand, DescribeJobCommand, IoTClient, ListJobExecutionsForJobCommand, type JobExecutionSummaryForJob } from '@aws-sdk/client-iot';
import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli.js';
import { connectClient, eventually } from '../helpers/mqtt.js';
import { MessageLog } from '../helpers/played-jobs-device.js';
import { freePort } from '../helpers/ports.js';

const ARN = 'arn:aws:iot:us-east-1:123456789012';
const DOC = '{"tempUnit":"celsius","ledColor":"green"}';

const group = (name: string, count: number, faults: string): string => `
  - name: ${name}
    count: ${count}
    location: { city: ${name}, country: BR, lat: -23.55, lon: -46.63, climate: { meanTemp: 21, dailySwing: 9, humidity: 78 } }
    initialState: { ledColor: red, tempUnit: fahrenheit, setpoint: 22, power: "on" }
    faults: ${faults}`;

const FLEET_YAML = `
seed: 31
speed: 1
broker: { type: embedded, host: 127.0.0.1, port: 1883 }
http: { host: 127.0.0.1, port: 8080 }
telemetry: { interval: 1h }
device: { jobStepDuration: 2s }
events: { job: true, jobExecution: true }
groups:${group('Flaky', 500, '{ fail: 0.2 }')}${group('Hangs', 6, '{ hang: 1 }')}${group('Away', 4, '{ offline: { never: 1 } }')}
`;
const ONLINE = 506;

interface Stack {
  up: CliProcess;
  iot: IoTClient;
  operator: MqttClient;
  events: MessageLog;
  dir: string;
}
const stacks: Stack[] = [];

async function start(): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'acfleet-faults-rollout-'));
  writeFileSync(join(dir, 'fleet.yaml'), FLEET_YAML);
  const httpPort = await freePort();
  const up = new CliProcess(['up', '--config', join(dir, 'fleet.yaml'), '--speed', '60', '--workers', '1', '--mqtt-port', '0', '--http-port', String(httpPort), '--state', ':memory:']);
  const stack: Partial<Stack> & { up: CliProcess; dir: string } = { up, dir };
  stacks.push(stack as Stack);
  const [, mqttUrl] = await up.waitFor(/MQTT\s+(mqtt:\/\/\S+)/);
  stack.iot = new IoTClient({ endpoint: `http://127.0.0.1:${httpPort}`, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 });
  stack.operator = await connectClient(String(mqttUrl), { clientId: `faults-operator-${stacks.length}` });
  stack.events = new MessageLog(stack.operator);
  await stack.operator.subscribeAsync(['$aws/events/jobExecution/#', '$aws/events/job/#'], { qos: 1 });
  await eventually(async () => {
    const health = (await (await fetch(`http://127.0.0.1:${httpPort}/_acfleet/health`)).json()) as { devices: { online: number } };
    return health.devices.online >= ONLINE ? true : undefined;
  }, `${ONLINE} devices online`, 60_000);
  return stack as Stack;
}

async function stop(s: Stack): Promise<void> {
  s.iot?.destroy();
  await s.operator?.endAsync(true).catch(() => undefined);
  const code = await s.up.stop('SIGINT');
  if (code !== 0) console.error(`acfleet up exited ${code}:\n${s.up.stderr}`);
  rmSync(s.dir, { recursive: true, force: true });
}

afterAll(async () => {
  for (const s of stacks) await stop(s);
});

async function executions(s: Stack, jobId: string): Promise<JobExecutionSummaryForJob[]> {
  const out: JobExecutionSummaryForJob[] = [];
  let nextToken: string | undefined;
  do {
    const page = await s.iot.send(new ListJobExecutionsForJobCommand({ jobId, maxResults: 250, nextToken }));
    out.push(...(page.executionSummaries ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** Runs the abort job on a stack and returns the things that FAILED, sorted. */
async function abortRun(s: Stack): Promise<{ failed: string[]; executedAtCancel: number; expectedAt: number }> {
  await s.iot.send(
    new CreateJobCommand({
      jobId: 'flaky',
      targets: [`${ARN}:thinggroup/Flaky`],
      document: DOC,
      abortConfig: { criteriaList: [{ failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 10, minNumberOfExecutedThings: 50 }] },
    }),
  );
  const canceled = await s.events.waitFor((m) => m.topic === '$aws/events/job/flaky/canceled', 60_000, 'the flaky job canceled');
  const terminal = s.events.messages.slice(0, s.events.messages.indexOf(canceled)).filter((m) => /^\$aws\/events\/jobExecution\/flaky\/(succeeded|failed)$/.test(m.topic));
  // Where the criterion first held, from the order the service published the outcomes in.
  let failures = 0;
  let expectedAt = -1;
  for (const [i, m] of terminal.entries()) {
    if (m.topic.endsWith('/failed')) failures++;
    const executed = i + 1;
    if (executed >= 50 && failures * 10 >= executed) {
      expectedAt = executed;
      break;
    }
  }
  const job = (await s.iot.send(new DescribeJobCommand({ jobId: 'flaky' }))).job;
  expect(job).toMatchObject({ status: 'CANCELED', reasonCode: 'ABORT_CRITERIA_MET' });
  const failed = (await executions(s, 'flaky')).filter((e) => e.jobExecutionSummary?.status === 'FAILED').map((e) => e.thingArn ?? '');
  return { failed: failed.sort(), executedAtCancel: terminal.length, expectedAt };
}

describe('faults in a rollout', () => {
  let first: Stack;

  it('500 devices with fail 0.2 and abort at 10 % after 50 executed: canceled at the first execution where the criterion holds', async () => {
    first = await start();
    const r = await abortRun(first);
    expect(r.expectedAt).toBeGreaterThanOrEqual(50);
    // Every outcome published before the canceled event counted; the criterion first held at the last of them.
    expect(r.executedAtCancel).toBe(r.expectedAt);
    expect(r.failed.length).toBeGreaterThan(0);
  }, 120_000);

  it('hang with an in-progress timeout: TIMED_OUT, then retried once as configured', async () => {
    await first.iot.send(
      new CreateJobCommand({
        jobId: 'hangs',
        targets: [`${ARN}:thinggroup/Hangs`],
        document: DOC,
        timeoutConfig: { inProgressTimeoutInMinutes: 1 },
        jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'TIMED_OUT', numberOfRetries: 1 }] },
      }),
    );
    const done = await eventually(async () => {
      const job = (await first.iot.send(new DescribeJobCommand({ jobId: 'hangs' }))).job;
      return job?.status === 'COMPLETED' ? job : undefined;
    }, 'the hangs job to complete', 60_000);
    expect(done.jobProcessDetails).toMatchObject({ numberOfTimedOutThings: 6, numberOfSucceededThings: 0 });
    const all = await executions(first, 'hangs');
    expect(all).toHaveLength(12);
    expect(all.every((e) => e.jobExecutionSummary?.status === 'TIMED_OUT')).toBe(true);
  }, 90_000);

  it('offline devices never take their executions: they stay QUEUED', async () => {
    await first.iot.send(new CreateJobCommand({ jobId: 'away', targets: [`${ARN}:thinggroup/Away`], document: DOC }));
    // A job to an online group created after it completes: by then the offline ones had every chance.
    await first.iot.send(new CreateJobCommand({ jobId: 'probe', targets: [`${ARN}:thinggroup/Hangs`], document: DOC, timeoutConfig: { inProgressTimeoutInMinutes: 1 } }));
    await eventually(async () => ((await first.iot.send(new DescribeJobCommand({ jobId: 'probe' }))).job?.status === 'COMPLETED' ? true : undefined), 'the probe job', 60_000);
    const job = (await first.iot.send(new DescribeJobCommand({ jobId: 'away' }))).job;
    expect(job?.jobProcessDetails).toMatchObject({ numberOfQueuedThings: 4, numberOfInProgressThings: 0 });
  }, 90_000);

  it('the same seed gives the same device outcomes on a second run', async () => {
    const outcomes = async (s: Stack): Promise<Map<string, string>> =>
      new Map(
        (await executions(s, 'flaky'))
          .filter((e) => ['SUCCEEDED', 'FAILED'].includes(e.jobExecutionSummary?.status ?? ''))
          .map((e) => [e.thingArn ?? '', e.jobExecutionSummary?.status ?? '']),
      );
    const before = await outcomes(first);
    await stop(first);
    stacks.splice(stacks.indexOf(first), 1);
    const second = await start();
    await abortRun(second);
    const after = await outcomes(second);
    // How far each rollout got before its abort depends on timing; every device that finished in
    // both runs finished the same way, since its fate is drawn from (seed, thing, job, execution).
    const common = [...after.keys()].filter((t) => before.has(t));
    expect(common.length).toBeGreaterThan(25);
    for (const t of common) expect([t, after.get(t)]).toEqual([t, before.get(t)]);
  }, 150_000);
});
