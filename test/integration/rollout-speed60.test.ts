/**
 * Rollout control on a real fleet at --speed 60 (issue 5 §8, spec §4): the real `acfleet up`, its
 * devices running the workshop document, jobs created through the AWS SDK. A constant rate and an
 * exponential one are read back from the executions' queuedAt (simulated epoch seconds) and from
 * DescribeJob polled against the cloud's simulated clock; an abort cancels the rest of a rollout of
 * documents the devices reject; an in-progress timeout (in a second `acfleet up` whose devices take
 * 5 simulated minutes per step) times executions out, and a retry times out again.
 *
 * At --speed 60 one simulated minute is one wall second. Releases are timers, so under load they
 * may fire a little late (never early): the checks allow {@link LATE_S} simulated seconds of
 * lateness per release, but none for earliness beyond queuedAt's whole-second rounding.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateJobCommand,
  DescribeJobCommand,
  DescribeJobExecutionCommand,
  IoTClient,
  ListJobExecutionsForJobCommand,
  ListJobExecutionsForThingCommand,
  type CreateJobCommandInput,
  type Job,
} from '@aws-sdk/client-iot';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli.js';
import { connectClient, eventually } from '../helpers/mqtt.js';
import { MessageLog } from '../helpers/played-jobs-device.js';
import { freePort } from '../helpers/ports.js';

const ARN = 'arn:aws:iot:us-east-1:123456789012';
const WORKSHOP_DOC = '{"tempUnit":"celsius","ledColor":"green"}';
/** No handler takes it: every device answers REJECTED at once. */
const REJECTED_DOC = '{"operation":"selfDestruct"}';
/**
 * How late (simulated seconds) a release or timeout timer may fire on a loaded 2-core machine: 10 s
 * is 167 ms of wall time at --speed 60. Only lateness is tolerated; nothing may happen early.
 */
const LATE_S = 10;
const SPEED = 60;

const group = (name: string, count: number, city: string): string => `
  - name: ${name}
    count: ${count}
    location: { city: ${city}, country: BR, lat: -23.55, lon: -46.63, climate: { meanTemp: 21, dailySwing: 9, humidity: 78 } }
    initialState: { ledColor: red, tempUnit: fahrenheit, setpoint: 22, power: "on" }`;

const fleetYaml = (stepDuration: string, groups: string[]): string => `
seed: 17
speed: 1
broker: { type: embedded, host: 127.0.0.1, port: 1883 }
http: { host: 127.0.0.1, port: 8080 }
telemetry: { interval: 60s }
device: { jobStepDuration: ${stepDuration} }
events: { job: true, jobExecution: true }
groups:${groups.join('')}
`;

/** One running `acfleet up` and the clients the tests use on it. */
interface Stack {
  up: CliProcess;
  http: string;
  iot: IoTClient;
  operator: MqttClient;
  /** Every jobs event the operator saw since the stack started. */
  events: MessageLog;
}

const dir = mkdtempSync(join(tmpdir(), 'acfleet-rollout60-'));
/** Stacks started and not yet stopped (also half-started ones, for afterAll). */
const started: Partial<Stack>[] = [];

async function startUp(name: string, yaml: string, devices: number): Promise<Stack> {
  const config = join(dir, `${name}.yaml`);
  writeFileSync(config, yaml);
  const httpPort = await freePort();
  const up = new CliProcess(['up', '--config', config, '--speed', String(SPEED), '--workers', '1', '--mqtt-port', '0', '--http-port', String(httpPort), '--state', join(dir, `${name}.db`)]);
  const stack: Partial<Stack> = { up, http: `http://127.0.0.1:${httpPort}` };
  started.push(stack);
  const [, mqttUrl] = await up.waitFor(/MQTT\s+(mqtt:\/\/\S+)/);
  await up.waitFor(new RegExp(`all ${devices} devices online`));
  stack.iot = new IoTClient({ endpoint: stack.http, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 });
  // Anonymous on loopback: an operator, who may read $aws/events/#.
  stack.operator = await connectClient(String(mqttUrl), { clientId: `rollout60-operator-${name}` });
  stack.events = new MessageLog(stack.operator);
  await stack.operator.subscribeAsync('$aws/events/#', { qos: 1 });
  return stack as Stack;
}

async function stopUp(stack: Partial<Stack> | undefined): Promise<void> {
  if (!stack) return;
  const at = started.indexOf(stack);
  if (at < 0) return;
  started.splice(at, 1);
  stack.iot?.destroy();
  await stack.operator?.endAsync(true).catch(() => undefined);
  if (stack.up) {
    const code = await stack.up.stop('SIGINT');
    if (code !== 0) console.error(`acfleet up exited ${code}:\n${stack.up.stderr}`);
  }
}

afterAll(async () => {
  // Whatever a failed beforeAll left running.
  for (const s of [...started]) await stopUp(s);
  rmSync(dir, { recursive: true, force: true });
});

const things = (name: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${name}-${String(i + 1).padStart(5, '0')}`);
const thingOf = (arn: string | undefined): string => String(arn?.split('/')[1]);

/** The cloud's simulated time (epoch ms). */
async function simNow(s: Stack): Promise<number> {
  const clock = (await (await fetch(`${s.http}/_acfleet/clock`)).json()) as { now: number; speed: number };
  expect(clock.speed).toBe(SPEED);
  return clock.now;
}

interface Released {
  thing: string;
  status: string;
  /** Simulated epoch seconds (whole). */
  queuedAt: number;
  executionNumber: number;
  retryAttempt: number;
}

/** Every execution of the job (ListJobExecutionsForJob, all pages), oldest release first. */
async function released(s: Stack, jobId: string): Promise<Released[]> {
  const out: Released[] = [];
  let nextToken: string | undefined;
  do {
    const page = await s.iot.send(new ListJobExecutionsForJobCommand({ jobId, maxResults: 250, nextToken }));
    for (const e of page.executionSummaries ?? []) {
      const sum = e.jobExecutionSummary;
      out.push({ thing: thingOf(e.thingArn), status: String(sum?.status), queuedAt: (sum?.queuedAt?.getTime() ?? NaN) / 1000, executionNumber: Number(sum?.executionNumber), retryAttempt: Number(sum?.retryAttempt) });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return out.sort((a, b) => a.queuedAt - b.queuedAt);
}

const describeJob = async (s: Stack, jobId: string): Promise<Job> => (await s.iot.send(new DescribeJobCommand({ jobId }))).job ?? {};

/** Targets that have an execution, from DescribeJob's counters. */
function notifiedCount(job: Job): number {
  const d = job.jobProcessDetails ?? {};
  return [
    d.numberOfQueuedThings,
    d.numberOfInProgressThings,
    d.numberOfSucceededThings,
    d.numberOfFailedThings,
    d.numberOfRejectedThings,
    d.numberOfTimedOutThings,
    d.numberOfCanceledThings,
    d.numberOfRemovedThings,
  ].reduce<number>((sum, n) => sum + (n ?? 0), 0);
}

interface Sample {
  /** Simulated ms after the job's creation was asked for (an upper bound of the time since creation). */
  elapsedMs: number;
  notified: number;
  processing: string[] | undefined;
  status: string | undefined;
}

/**
 * Creates the job and polls DescribeJob until `done` says so, recording each answer with the
 * simulated time read right after it (so a sample's time is never earlier than its counts).
 */
async function createAndWatch(s: Stack, input: CreateJobCommandInput, done: (job: Job) => boolean, wallMs = 45_000): Promise<{ createdFrom: number; samples: Sample[]; job: Job }> {
  const createdFrom = await simNow(s);
  await s.iot.send(new CreateJobCommand(input));
  const samples: Sample[] = [];
  const jobId = String(input.jobId);
  const job = await eventually(
    async () => {
      const j = await describeJob(s, jobId);
      const at = await simNow(s);
      samples.push({ elapsedMs: at - createdFrom, notified: notifiedCount(j), processing: j.jobProcessDetails?.processingTargets, status: j.status });
      return done(j) ? j : undefined;
    },
    `job ${jobId} to finish`,
    wallMs,
  );
  return { createdFrom, samples, job };
}

/**
 * queuedAt (whole simulated seconds) against the planned offsets from the first release (which
 * goes out at creation, so it anchors the plan): never earlier than planned beyond rounding (no
 * burst), never more than {@link LATE_S} later. A late release does not move the plan, so two
 * consecutive releases may be closer than the spacing by the first one's lateness: the plan,
 * not the gap, is what is checked.
 */
function expectSpacing(queuedAt: number[], offsets: number[]): void {
  expect(queuedAt).toHaveLength(offsets.length);
  const first = queuedAt[0] ?? NaN;
  const actual = queuedAt.map((q) => q - first);
  for (let i = 1; i < offsets.length; i++) {
    const planned = offsets[i] ?? NaN;
    const why = `release ${i}: queued ${actual[i]} s after the first, planned ${planned} s (all: ${JSON.stringify(actual)})`;
    expect(actual[i], why).toBeGreaterThanOrEqual(Math.floor(planned) - 1);
    expect(actual[i], why).toBeLessThanOrEqual(Math.ceil(planned) + LATE_S);
  }
}

/** Waits until the operator has seen `count` events on `topic` (they may trail the API by a message), and no more. */
async function eventsOn(s: Stack, topic: string, count: number): Promise<ReturnType<MessageLog['on']>> {
  const seen = await eventually(() => (s.events.on(topic).length >= count ? s.events.on(topic) : undefined), `${count} events on ${topic}`, 10_000);
  expect(seen, topic).toHaveLength(count);
  return seen;
}

/** No sample shows more releases than the rate allowed by its (upper-bound) time: ≤ 1 + elapsed minutes × rate. */
function expectRateBound(samples: Sample[], allowed: (elapsedMs: number) => number): void {
  expect(samples.length).toBeGreaterThan(5);
  for (const s of samples) expect(s.notified, `${s.notified} notified ${s.elapsedMs / 1000} simulated s after creation`).toBeLessThanOrEqual(allowed(s.elapsedMs));
}

describe('rollout at --speed 60 on a real fleet', () => {
  const CONSTANT = things('Constant', 12);
  const EXPONENTIAL = things('Exponential', 12);
  const ABORT = things('Abort', 8);
  let s: Stack;

  beforeAll(async () => {
    s = await startUp(
      'rates',
      fleetYaml('5s', [group('Constant', CONSTANT.length, 'Campinas'), group('Exponential', EXPONENTIAL.length, 'Santos'), group('Abort', ABORT.length, 'Sorocaba')]),
      CONSTANT.length + EXPONENTIAL.length + ABORT.length,
    );
  });
  afterAll(() => stopUp(s));

  it('constant: 6/min over 12 targets releases one every 10 simulated s, never ahead of the rate, and completes', async () => {
    const RATE = 6;
    const { createdFrom, samples, job } = await createAndWatch(
      s,
      { jobId: 'constant', targets: [`${ARN}:thinggroup/Constant`], document: WORKSHOP_DOC, jobExecutionsRolloutConfig: { maximumPerMinute: RATE } },
      (j) => j.status === 'COMPLETED',
    );

    // Never more released than the rate allows: the first at creation, then one per 60/6 s.
    expectRateBound(samples, (ms) => 1 + Math.floor((ms * RATE) / 60_000));
    // The rollout took its time: 11 intervals of 10 s after the first (a burst would finish at once).
    const lastSample = samples.at(-1);
    expect(lastSample?.elapsedMs).toBeGreaterThanOrEqual(110_000);
    // processingTargets names the group while targets wait for their turn, and is gone once all are released.
    const pending = samples.filter((x) => x.notified < CONSTANT.length);
    expect(pending.length).toBeGreaterThan(3);
    for (const x of pending) expect(x.processing, `${x.notified} notified`).toEqual([`${ARN}:thinggroup/Constant`]);
    expect(lastSample?.processing).toBeUndefined();
    expect(job.jobProcessDetails).toMatchObject({ numberOfSucceededThings: CONSTANT.length, numberOfQueuedThings: 0, numberOfInProgressThings: 0 });
    expect(job.jobProcessDetails?.processingTargets).toBeUndefined();

    const execs = await released(s, 'constant');
    expect(execs.map((e) => e.thing).sort()).toEqual(CONSTANT);
    expect(execs.every((e) => e.status === 'SUCCEEDED' && e.executionNumber === 1)).toBe(true);
    expectSpacing(
      execs.map((e) => e.queuedAt),
      CONSTANT.map((_, i) => i * 10),
    );
    // The first went out at creation.
    expect(execs[0]?.queuedAt).toBeGreaterThanOrEqual(Math.floor(createdFrom / 1000));
    expect(execs[0]?.queuedAt).toBeLessThanOrEqual(Math.floor(createdFrom / 1000) + LATE_S);
    await s.events.waitFor((m) => m.topic === '$aws/events/job/constant/completed', 10_000, 'the completed event');
    await eventsOn(s, '$aws/events/jobExecution/constant/succeeded', CONSTANT.length);
  });

  it('exponential: base 2, ×2 per 4 notified, max 8: 30 s apart for 4, 15 s for the next 4, then 7.5 s', async () => {
    const rollout = { maximumPerMinute: 8, exponentialRate: { baseRatePerMinute: 2, incrementFactor: 2, rateIncreaseCriteria: { numberOfNotifiedThings: 4 } } };
    const { samples, job } = await createAndWatch(
      s,
      { jobId: 'exponential', targets: [`${ARN}:thinggroup/Exponential`], document: WORKSHOP_DOC, jobExecutionsRolloutConfig: rollout },
      (j) => j.status === 'COMPLETED',
    );
    const offsets = [0, 30, 60, 90, 105, 120, 135, 150, 157.5, 165, 172.5, 180];
    // Releases allowed by a time: those planned at or before it.
    expectRateBound(samples, (ms) => offsets.filter((o) => o * 1000 <= ms).length);
    expect(samples.at(-1)?.elapsedMs).toBeGreaterThanOrEqual(180_000);
    expect(job.jobProcessDetails).toMatchObject({ numberOfSucceededThings: EXPONENTIAL.length, numberOfQueuedThings: 0, numberOfInProgressThings: 0 });

    const execs = await released(s, 'exponential');
    expect(execs.map((e) => e.thing).sort()).toEqual(EXPONENTIAL);
    expect(execs.every((e) => e.status === 'SUCCEEDED' && e.executionNumber === 1)).toBe(true);
    expectSpacing(
      execs.map((e) => e.queuedAt),
      offsets,
    );
  });

  it('abort: REJECTED by ≥50% of ≥3 executed cancels the job (ABORT_CRITERIA_MET); unreleased targets never get an execution', async () => {
    // 1/min: the devices reject each release within a wall second, so the third rejection aborts
    // the job well before the fourth release is due.
    const { samples, job } = await createAndWatch(
      s,
      {
        jobId: 'abort',
        targets: [`${ARN}:thinggroup/Abort`],
        document: REJECTED_DOC,
        jobExecutionsRolloutConfig: { maximumPerMinute: 1 },
        abortConfig: { criteriaList: [{ failureType: 'REJECTED', action: 'CANCEL', thresholdPercentage: 50, minNumberOfExecutedThings: 3 }] },
      },
      (j) => j.status !== 'IN_PROGRESS',
    );
    expectRateBound(samples, (ms) => 1 + Math.floor(ms / 60_000));
    expect(job).toMatchObject({ status: 'CANCELED', reasonCode: 'ABORT_CRITERIA_MET' });
    expect(job.comment).toMatch(/REJECTED/);
    const d = job.jobProcessDetails ?? {};
    expect(d.numberOfRejectedThings).toBeGreaterThanOrEqual(3);
    expect(d.numberOfSucceededThings ?? 0).toBe(0);
    // Canceled: nothing is pending any more.
    expect(d.processingTargets).toBeUndefined();
    const canceledEvent = await s.events.waitFor((m) => m.topic === '$aws/events/job/abort/canceled', 10_000, 'the canceled event');
    expect(canceledEvent.json).toMatchObject({ eventType: 'JOB', operation: 'canceled', jobId: 'abort', status: 'CANCELED' });

    // Three simulated minutes later (three more releases had the rollout gone on), still nothing new.
    const at = await simNow(s);
    await eventually(async () => ((await simNow(s)) >= at + 3 * 60_000 ? true : undefined), 'three simulated minutes');
    const execs = await released(s, 'abort');
    expect(execs.length).toBe(notifiedCount(job));
    expect(execs.length).toBeLessThan(ABORT.length);
    expect(execs.filter((e) => e.status === 'REJECTED').length).toBe(d.numberOfRejectedThings);
    expect(execs.every((e) => e.executionNumber === 1 && (e.status === 'REJECTED' || e.status === 'CANCELED'))).toBe(true);
    expect(notifiedCount(await describeJob(s, 'abort'))).toBe(execs.length);
    const unreleased = ABORT.filter((t) => !execs.some((e) => e.thing === t));
    expect(unreleased.length).toBeGreaterThanOrEqual(1);
    for (const t of unreleased) {
      await expect(s.iot.send(new DescribeJobExecutionCommand({ jobId: 'abort', thingName: t }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      expect((await s.iot.send(new ListJobExecutionsForThingCommand({ thingName: t }))).executionSummaries ?? []).toEqual([]);
    }
    await eventsOn(s, '$aws/events/jobExecution/abort/rejected', d.numberOfRejectedThings ?? -1);
  });
});

describe('in-progress timeout and retry at --speed 60 (devices take 5 simulated minutes per step)', () => {
  // fleet.yaml has one jobStepDuration for every device, so slow devices need an `acfleet up` of their own.
  const SLOW = things('Slow', 4);
  let s: Stack;

  beforeAll(async () => {
    s = await startUp('slow', fleetYaml('5m', [group('Slow', SLOW.length, 'Jundiai')]), SLOW.length);
  });
  afterAll(() => stopUp(s));

  it('times every execution out after 1 simulated minute IN_PROGRESS; the TIMED_OUT retry (executionNumber 2) times out too', async () => {
    const { job } = await createAndWatch(
      s,
      {
        jobId: 'timeout',
        targets: [`${ARN}:thinggroup/Slow`],
        document: WORKSHOP_DOC,
        timeoutConfig: { inProgressTimeoutInMinutes: 1 },
        jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'TIMED_OUT', numberOfRetries: 1 }] },
      },
      (j) => j.status === 'COMPLETED',
    );
    expect(job.jobProcessDetails).toMatchObject({ numberOfTimedOutThings: SLOW.length, numberOfSucceededThings: 0, numberOfQueuedThings: 0, numberOfInProgressThings: 0 });

    const execs = await released(s, 'timeout');
    // The list holds both attempts of every thing, each TIMED_OUT; no third attempt (one retry).
    for (const t of SLOW) {
      const mine = execs.filter((e) => e.thing === t);
      expect(mine.map((e) => [e.executionNumber, e.retryAttempt, e.status]).sort(), t).toEqual([
        [1, 0, 'TIMED_OUT'],
        [2, 1, 'TIMED_OUT'],
      ]);
    }
    expect(execs).toHaveLength(2 * SLOW.length);
    for (const t of SLOW) {
      for (const executionNumber of [1, 2]) {
        const e = (await s.iot.send(new DescribeJobExecutionCommand({ jobId: 'timeout', thingName: t, executionNumber }))).execution;
        expect(e, `${t} #${executionNumber}`).toMatchObject({ status: 'TIMED_OUT', executionNumber });
        // IN_PROGRESS for exactly the timeout: one simulated minute (whole seconds; timers may be late, never early).
        const ran = ((e?.lastUpdatedAt?.getTime() ?? NaN) - (e?.startedAt?.getTime() ?? NaN)) / 1000;
        expect(ran, `${t} #${executionNumber} ran ${ran} s`).toBeGreaterThanOrEqual(59);
        expect(ran, `${t} #${executionNumber} ran ${ran} s`).toBeLessThanOrEqual(60 + LATE_S);
      }
      const first = (await s.iot.send(new DescribeJobExecutionCommand({ jobId: 'timeout', thingName: t, executionNumber: 1 }))).execution;
      const retry = (await s.iot.send(new DescribeJobExecutionCommand({ jobId: 'timeout', thingName: t, executionNumber: 2 }))).execution;
      // The retry was queued when the first attempt timed out (the device, told its execution is
      // no longer pending, drops the 5-minute step and starts the retry at once).
      expect(retry?.queuedAt?.getTime()).toBe(first?.lastUpdatedAt?.getTime());
    }
    const timedOut = await eventsOn(s, '$aws/events/jobExecution/timeout/timed_out', 2 * SLOW.length);
    for (const t of SLOW) expect(timedOut.filter((m) => m.json.thingArn === `${ARN}:thing/${t}`), t).toHaveLength(2);
    expect(timedOut.every((m) => m.json.status === 'TIMED_OUT')).toBe(true);
    await s.events.waitFor((m) => m.topic === '$aws/events/job/timeout/completed', 10_000, 'the completed event');
  });
});
