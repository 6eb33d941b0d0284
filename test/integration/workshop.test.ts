/**
 * The workshop end to end, as a user runs it (issue 4, spec §11 seed 000): the real `acfleet up`
 * at --speed 60 with a São Paulo group and one other city, the job `ChangeTempUnit`
 * (`{"tempUnit":"celsius","ledColor":"green"}`, CONTINUOUS, thing group SaoPaulo) created through
 * the AWS SDK; every São Paulo device runs it (LED blue while running, then green and °C), the
 * other city is untouched, and a device added to SaoPaulo afterwards runs it too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AddThingToThingGroupCommand,
  CreateJobCommand,
  DescribeJobCommand,
  DescribeJobExecutionCommand,
  DescribeThingGroupCommand,
  IoTClient,
  ListJobExecutionsForJobCommand,
  ListJobExecutionsForThingCommand,
} from '@aws-sdk/client-iot';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli.js';
import { connectClient, eventually } from '../helpers/mqtt.js';
import { MessageLog } from '../helpers/played-jobs-device.js';
import { freePort } from '../helpers/ports.js';

const SAO_PAULO = ['SaoPaulo-00001', 'SaoPaulo-00002', 'SaoPaulo-00003', 'SaoPaulo-00004', 'SaoPaulo-00005'];
const NEW_YORK = ['NewYork-00001', 'NewYork-00002', 'NewYork-00003'];
const JOB_ID = 'ChangeTempUnit';
const DOCUMENT = '{"tempUnit":"celsius","ledColor":"green"}';

const FLEET_YAML = `
seed: 11
speed: 1
broker: { type: embedded, host: 127.0.0.1, port: 1883 }
http: { host: 127.0.0.1, port: 8080 }
telemetry: { interval: 10s }
device: { jobStepDuration: 5s }
events: { job: true, jobExecution: true }
groups:
  - name: SaoPaulo
    count: ${SAO_PAULO.length}
    location: { city: São Paulo, country: BR, lat: -23.5505, lon: -46.6333, climate: { meanTemp: 21, dailySwing: 9, humidity: 78 } }
    initialState: { ledColor: red, tempUnit: fahrenheit, setpoint: 22, power: "on" }
  - name: NewYork
    count: ${NEW_YORK.length}
    location: { city: New York, country: US, lat: 40.7128, lon: -74.006, climate: { meanTemp: 12, dailySwing: 8, humidity: 63 } }
    initialState: { ledColor: red, tempUnit: fahrenheit, setpoint: 21, power: "on" }
`;

const dir = mkdtempSync(join(tmpdir(), 'acfleet-workshop-'));
let up: CliProcess;
let http: string;
let iot: IoTClient;
let operator: MqttClient;
/** What the operator saw from before the job was created: every shadow update/accepted, jobs event and telemetry message. */
let observed: MessageLog;

beforeAll(async () => {
  writeFileSync(join(dir, 'fleet.yaml'), FLEET_YAML);
  const httpPort = await freePort();
  http = `http://127.0.0.1:${httpPort}`;
  const total = SAO_PAULO.length + NEW_YORK.length;
  up = new CliProcess(['up', '--config', join(dir, 'fleet.yaml'), '--speed', '60', '--workers', '1', '--mqtt-port', '0', '--http-port', String(httpPort), '--state', join(dir, 'state.db')]);
  const [, mqttUrl] = await up.waitFor(/MQTT\s+(mqtt:\/\/\S+)/);
  await up.waitFor(new RegExp(`all ${total} devices online`));
  iot = new IoTClient({ endpoint: http, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 });
  // Anonymous on loopback: an operator, who may watch every shadow and the jobs events.
  operator = await connectClient(String(mqttUrl), { clientId: 'workshop-operator' });
  observed = new MessageLog(operator);
  await operator.subscribeAsync(['$aws/things/+/shadow/update/accepted', '$aws/events/jobExecution/#', '$aws/events/job/#', 'dt/acfleet/#'], { qos: 1 });
});

afterAll(async () => {
  iot?.destroy();
  await operator?.endAsync(true).catch(() => undefined);
  if (up) {
    const code = await up.stop('SIGINT');
    if (code !== 0) console.error(`acfleet up exited ${code}:\n${up.stderr}`);
  }
  rmSync(dir, { recursive: true, force: true });
});

type Shadow = { state: { reported?: Record<string, unknown>; delta?: Record<string, unknown> }; version: number };
const shadow = async (thing: string): Promise<Shadow> => (await (await fetch(`${http}/things/${thing}/shadow`)).json()) as Shadow;
/** The shadow, or undefined while the device has not created it yet (404). */
const shadowIfAny = async (thing: string): Promise<Shadow | undefined> => {
  const res = await fetch(`${http}/things/${thing}/shadow`);
  return res.status === 404 ? undefined : ((await res.json()) as Shadow);
};
const counters = async (): Promise<Record<string, number>> => ((await iot.send(new DescribeJobCommand({ jobId: JOB_ID }))).job?.jobProcessDetails ?? {}) as Record<string, number>;
const reportedLeds = (thing: string): unknown[] =>
  observed.on(`$aws/things/${thing}/shadow/update/accepted`).flatMap((m) => {
    const reported = (m.json.state as { reported?: { ledColor?: unknown } } | undefined)?.reported;
    return reported?.ledColor === undefined ? [] : [reported.ledColor];
  });

/** Waits until the operator has seen the thing report this LED colour to its shadow. */
const ledReport = (thing: string, color: string): Promise<unknown> =>
  observed.waitFor(
    (m) => m.topic === `$aws/things/${thing}/shadow/update/accepted` && (m.json.state as { reported?: { ledColor?: unknown } } | undefined)?.reported?.ledColor === color,
    10_000,
    `${thing}'s ${color} report`,
  );

/** Waits for the shadow to show the settings the job applies (the shadow service may trail the jobs service by a message). */
const switched = (thing: string): Promise<Shadow> =>
  eventually(async () => {
    const doc = await shadow(thing);
    return doc.state.reported?.ledColor === 'green' && doc.state.reported.tempUnit === 'celsius' ? doc : undefined;
  }, `${thing}'s shadow to report green and celsius`, 30_000);

describe('workshop: ChangeTempUnit on SaoPaulo', () => {
  it('runs on every São Paulo device: SUCCEEDED, LED blue while running then green, shadow and telemetry in °C', async () => {
    // Online devices have synced (or are syncing) their shadows: every one starts red and in °F.
    for (const t of [...SAO_PAULO, ...NEW_YORK]) {
      const first = await eventually(async () => {
        const doc = await shadowIfAny(t);
        return doc?.state.reported?.ledColor !== undefined ? doc : undefined;
      }, `${t}'s first report`);
      expect(first.state.reported, t).toMatchObject({ ledColor: 'red', tempUnit: 'fahrenheit' });
    }

    const group = await iot.send(new DescribeThingGroupCommand({ thingGroupName: 'SaoPaulo' }));
    const created = await iot.send(new CreateJobCommand({ jobId: JOB_ID, targets: [group.thingGroupArn ?? ''], document: DOCUMENT, targetSelection: 'CONTINUOUS', description: 'My test job' }));
    expect(created.jobArn).toBe('arn:aws:iot:us-east-1:123456789012:job/ChangeTempUnit');

    const done = await eventually(
      async () => {
        const c = await counters();
        return c.numberOfSucceededThings === SAO_PAULO.length ? c : undefined;
      },
      'every São Paulo execution to succeed',
      60_000,
    );
    expect(done).toMatchObject({ numberOfQueuedThings: 0, numberOfInProgressThings: 0, numberOfFailedThings: 0, numberOfRejectedThings: 0, numberOfSucceededThings: SAO_PAULO.length });
    // CONTINUOUS: it stays open for devices that join later.
    expect((await iot.send(new DescribeJobCommand({ jobId: JOB_ID }))).job?.status).toBe('IN_PROGRESS');

    for (const t of SAO_PAULO) {
      const exec = (await iot.send(new DescribeJobExecutionCommand({ jobId: JOB_ID, thingName: t }))).execution;
      expect(exec).toMatchObject({ status: 'SUCCEEDED', statusDetails: { detailsMap: { tempUnit: 'celsius', ledColor: 'green' } } });
      expect(exec?.startedAt).toBeInstanceOf(Date);
      const doc = await switched(t);
      expect(doc.state.delta).toBeUndefined();
      // The LED went blue while the job ran, and green after. The operator's copy of the green
      // report may still be on its way when the shadow already shows it over HTTP: wait for it.
      await ledReport(t, 'green');
      const leds = reportedLeds(t);
      expect(leds, t).toContain('blue');
      expect(leds.lastIndexOf('green'), t).toBeGreaterThan(leds.indexOf('blue'));
      await observed.waitFor((m) => m.topic === `$aws/events/jobExecution/${JOB_ID}/succeeded` && m.json.thingArn === `arn:aws:iot:us-east-1:123456789012:thing/${t}`, 10_000, `${t}'s succeeded event`);
    }

    // Telemetry: one message from every device after the switch; São Paulo in °C, New York still in °F.
    const from = observed.messages.length;
    const latest = new Map<string, Record<string, unknown>>();
    await observed.waitFor(
      (m) => {
        if (!m.topic.startsWith('dt/acfleet/')) return false;
        if (observed.messages.indexOf(m) < from) return false;
        latest.set(String(m.json.thingName), m.json);
        return [...SAO_PAULO, ...NEW_YORK].every((t) => latest.has(t));
      },
      30_000,
      'telemetry from every device',
    );
    for (const t of SAO_PAULO) {
      const m = latest.get(t) ?? {};
      expect(m, t).toMatchObject({ tempUnit: 'celsius', thingName: t });
      // São Paulo air-conditioned rooms in °C, not °F (~70).
      expect(m.temp as number, t).toBeGreaterThan(5);
      expect(m.temp as number, t).toBeLessThan(45);
    }
    for (const t of NEW_YORK) {
      const m = latest.get(t) ?? {};
      expect(m, t).toMatchObject({ tempUnit: 'fahrenheit', thingName: t });
    }
  });

  it('leaves the other city untouched: fahrenheit, not green, no executions', async () => {
    for (const t of NEW_YORK) {
      const doc = await shadow(t);
      expect(doc.state.reported).toMatchObject({ ledColor: 'red', tempUnit: 'fahrenheit' });
      expect(reportedLeds(t)).not.toContain('blue');
      expect((await iot.send(new ListJobExecutionsForThingCommand({ thingName: t }))).executionSummaries).toEqual([]);
    }
    const all = (await iot.send(new ListJobExecutionsForJobCommand({ jobId: JOB_ID }))).executionSummaries ?? [];
    expect(all.map((e) => e.thingArn?.split('/')[1]).sort()).toEqual(SAO_PAULO);
  });

  it('a running New York device added to SaoPaulo gets the job at once and succeeds too (blue, then green and °C)', async () => {
    const joiner = 'NewYork-00001';
    await iot.send(new AddThingToThingGroupCommand({ thingGroupName: 'SaoPaulo', thingName: joiner }));
    const exec = await eventually(
      async () => {
        const e = (await iot.send(new DescribeJobExecutionCommand({ jobId: JOB_ID, thingName: joiner }))).execution;
        return e?.status === 'SUCCEEDED' ? e : undefined;
      },
      `${joiner}'s execution to succeed`,
      60_000,
    );
    expect(exec).toMatchObject({ executionNumber: 1, statusDetails: { detailsMap: { tempUnit: 'celsius', ledColor: 'green' } } });
    await switched(joiner);
    await ledReport(joiner, 'blue');
    expect(await counters()).toMatchObject({ numberOfSucceededThings: SAO_PAULO.length + 1, numberOfQueuedThings: 0, numberOfInProgressThings: 0 });
    expect((await iot.send(new DescribeJobCommand({ jobId: JOB_ID }))).job?.status).toBe('IN_PROGRESS');
    // Its telemetry follows.
    const from = observed.messages.length;
    const t = await observed.waitFor((m) => m.topic.endsWith(`/${joiner}/telemetry`) && observed.messages.indexOf(m) >= from, 30_000, `${joiner}'s telemetry`);
    expect(t.json.tempUnit).toBe('celsius');
    // The rest of New York is still as it was.
    for (const other of NEW_YORK.slice(1)) expect((await shadow(other)).state.reported).toMatchObject({ ledColor: 'red', tempUnit: 'fahrenheit' });
  });
});
