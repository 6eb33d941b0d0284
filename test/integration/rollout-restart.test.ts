/**
 * A cloud killed mid-rollout (issue 5 §7, §8): the real `acfleet cloud --speed 60` on a file
 * --state and a separate `acfleet fleet` following its clock. A constant-rate job (20 targets at
 * 6/min) is released for a while, the cloud is SIGKILLed (no clean shutdown: the store keeps only
 * what it had committed) and started again on the same --state and ports. The simulated clock goes
 * on from the stored epoch; the rollout resumes at its rate with no burst for the time it was down;
 * no target is released twice and none is lost; every device ends SUCCEEDED and the job COMPLETED.
 *
 * The fleet process keeps running through the restart: its devices see their connections drop,
 * reconnect with their own backoff (fleet.yaml device.reconnectMin/Max, simulated time) to the
 * same broker port, and resume through start-next.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateJobCommand, DescribeJobCommand, IoTClient, ListJobExecutionsForJobCommand, type Job } from '@aws-sdk/client-iot';
import { afterAll, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli.js';
import { eventually } from '../helpers/mqtt.js';
import { freePort } from '../helpers/ports.js';

const ARN = 'arn:aws:iot:us-east-1:123456789012';
const DOC = '{"tempUnit":"celsius","ledColor":"green"}';
const COUNT = 20;
const RATE = 6;
const SPACING_S = 60 / RATE;
const SPEED = 60;
/**
 * Simulated seconds a release timer may fire late: half a wall second, for the seconds after the
 * restart when the new cloud replays its store while 20 devices reconnect and resume (up to 14 s
 * seen on a loaded 2-core machine). A late
 * release does not move the schedule (the next one keeps its planned time), so the checks anchor
 * each release to the first of its run: never earlier than planned, at most this much later.
 */
const LATE_S = 30;
const THINGS = Array.from({ length: COUNT }, (_, i) => `Rollout-${String(i + 1).padStart(5, '0')}`);

const dir = mkdtempSync(join(tmpdir(), 'acfleet-rollout-restart-'));
const state = join(dir, 'state', 'state.db');
const config = join(dir, 'fleet.yaml');
writeFileSync(
  config,
  `
seed: 23
speed: 1
broker: { type: embedded, host: 127.0.0.1, port: 1883 }
http: { host: 127.0.0.1, port: 8080 }
telemetry: { interval: 60s }
# Reconnect within a few simulated seconds of the cloud coming back (a wall second at most).
device: { jobStepDuration: 5s, reconnectMin: 1s, reconnectMax: 10s }
events: { job: true, jobExecution: true }
groups:
  - name: Rollout
    count: ${COUNT}
    location: { city: Recife, country: BR, lat: -8.05, lon: -34.9, climate: { meanTemp: 26, dailySwing: 6, humidity: 80 } }
    initialState: { ledColor: red, tempUnit: fahrenheit, setpoint: 22, power: "on" }
`,
);

const running: CliProcess[] = [];
const clients: IoTClient[] = [];

afterAll(async () => {
  for (const c of clients) c.destroy();
  for (const p of running.splice(0)) await p.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface ClockAnswer {
  wallMs: number;
  simMs: number;
  speed: number;
  now: number;
}

interface Execution {
  thing: string;
  status: string;
  /** Simulated epoch seconds (whole). */
  queuedAt: number;
  executionNumber: number;
}

describe('acfleet cloud SIGKILLed mid-rollout and restarted on the same --state', () => {
  it('resumes the constant rate on the continuing simulated clock: none released twice, none lost, no burst', async () => {
    const mqttPort = await freePort();
    const httpPort = await freePort();
    const http = `http://127.0.0.1:${httpPort}`;
    const clock = async (): Promise<ClockAnswer> => (await (await fetch(`${http}/_acfleet/clock`)).json()) as ClockAnswer;
    const online = async (): Promise<number> => ((await (await fetch(`${http}/_acfleet/health`)).json()) as { devices: { online: number } }).devices.online;
    const iot = new IoTClient({ endpoint: http, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 });
    clients.push(iot);
    const describeJob = async (): Promise<Job> => (await iot.send(new DescribeJobCommand({ jobId: 'rollout' }))).job ?? {};
    const executions = async (): Promise<Execution[]> => {
      const out: Execution[] = [];
      let nextToken: string | undefined;
      do {
        const page = await iot.send(new ListJobExecutionsForJobCommand({ jobId: 'rollout', maxResults: 250, nextToken }));
        for (const e of page.executionSummaries ?? []) {
          const s = e.jobExecutionSummary;
          out.push({ thing: String(e.thingArn?.split('/')[1]), status: String(s?.status), queuedAt: (s?.queuedAt?.getTime() ?? NaN) / 1000, executionNumber: Number(s?.executionNumber) });
        }
        nextToken = page.nextToken;
      } while (nextToken);
      return out.sort((a, b) => a.queuedAt - b.queuedAt);
    };
    const startCloud = async (): Promise<CliProcess> => {
      const p = new CliProcess(['cloud', '--config', config, '--speed', String(SPEED), '--mqtt-port', String(mqttPort), '--http-port', String(httpPort), '--state', state]);
      running.push(p);
      await p.waitFor(/acfleet cloud is up/);
      return p;
    };

    const first = await startCloud();
    const epoch = await clock();
    expect(epoch.speed).toBe(SPEED);
    const fleet = new CliProcess(['fleet', '--config', config, '--broker', `mqtt://127.0.0.1:${mqttPort}`, '--cloud-url', http, '--state', state, '--workers', '1']);
    running.push(fleet);
    await eventually(async () => ((await online()) === COUNT ? true : undefined), `all ${COUNT} devices online`, 30_000);

    const createdFrom = (await clock()).now;
    await iot.send(new CreateJobCommand({ jobId: 'rollout', targets: [`${ARN}:thinggroup/Rollout`], document: DOC, jobExecutionsRolloutConfig: { maximumPerMinute: RATE } }));

    // A few releases in (and some of them already running or done on the devices), kill it.
    const beforeKill = await eventually(async () => {
      const e = await executions();
      return e.length >= 5 ? e : undefined;
    }, 'five releases');
    first.child.kill('SIGKILL');
    // The simulated time of the kill, from the epoch the cloud announced (same machine, same wall clock).
    const killedAtSim = epoch.simMs + (Date.now() - epoch.wallMs) * epoch.speed;
    await first.exited;
    running.splice(running.indexOf(first), 1);
    expect(beforeKill.length).toBeLessThan(COUNT - 5);

    const second = await startCloud();
    const resumed = await clock();
    // The epoch came from the store: the same simulated timeline, which went on while the cloud was down.
    expect({ wallMs: resumed.wallMs, simMs: resumed.simMs, speed: resumed.speed }).toEqual({ wallMs: epoch.wallMs, simMs: epoch.simMs, speed: epoch.speed });
    expect(resumed.now).toBeGreaterThanOrEqual(killedAtSim);
    expect(fleet.child.exitCode).toBeNull();

    const job = await eventually(
      async () => {
        const j = await describeJob();
        return j.status === 'COMPLETED' ? j : undefined;
      },
      'the job to complete after the restart',
      45_000,
    );
    expect(job.jobProcessDetails).toMatchObject({ numberOfSucceededThings: COUNT, numberOfQueuedThings: 0, numberOfInProgressThings: 0, numberOfFailedThings: 0, numberOfTimedOutThings: 0, numberOfCanceledThings: 0 });
    expect(job.jobProcessDetails?.processingTargets).toBeUndefined();
    expect(await online()).toBe(COUNT);

    const all = await executions();
    // None lost, none released twice: one execution per target, each the first.
    expect(all.map((e) => e.thing).sort()).toEqual(THINGS);
    expect(all.every((e) => e.executionNumber === 1 && e.status === 'SUCCEEDED')).toBe(true);
    // What was released before the kill kept its release time (it was not released again).
    for (const b of beforeKill) expect(all.find((e) => e.thing === b.thing)?.queuedAt, b.thing).toBe(b.queuedAt);

    const queued = all.map((e) => e.queuedAt);
    const killSec = Math.floor(killedAtSim / 1000);
    const before = queued.filter((q) => q <= killSec);
    const after = queued.filter((q) => q > killSec);
    expect(before.length).toBeGreaterThanOrEqual(beforeKill.length);
    expect(before.length + after.length).toBe(COUNT);
    // The first release at creation, then one per 10 simulated s up to the kill.
    expect(before[0]).toBeGreaterThanOrEqual(Math.floor(createdFrom / 1000));
    before.forEach((q, i) => {
      expect(q - (before[0] ?? NaN), `release ${i} before the kill`).toBeGreaterThanOrEqual(i * SPACING_S - 1);
      expect(q - (before[0] ?? NaN), `release ${i} before the kill`).toBeLessThanOrEqual(i * SPACING_S + LATE_S);
    });
    // Nothing went out while the cloud was down; after it, one release when the cloud is back
    // (no backlog for the downtime), then the configured spacing again.
    // (The cloud resumes its rollouts as it starts, before it answers the clock request.)
    expect(after[0]).toBeLessThanOrEqual(Math.floor(resumed.now / 1000) + LATE_S);
    after.forEach((q, i) => {
      const why = `release ${i} after the restart (all after: ${JSON.stringify(after.map((x) => x - (after[0] ?? NaN)))})`;
      expect(q - (after[0] ?? NaN), why).toBeGreaterThanOrEqual(i * SPACING_S - 1);
      expect(q - (after[0] ?? NaN), why).toBeLessThanOrEqual(i * SPACING_S + LATE_S);
    });
    // No burst at the restart: the first release after it comes at least one spacing after the
    // last one before it (the downtime owes no backlog, and the rate is not reset to "first at once"
    // within a spacing of the last release).
    expect((after[0] ?? NaN) - (before.at(-1) ?? NaN)).toBeGreaterThanOrEqual(SPACING_S - 1);

    expect(await fleet.stop('SIGTERM')).toBe(0);
    expect(await second.stop('SIGTERM')).toBe(0);
  });
});
