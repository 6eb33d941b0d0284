/**
 * Persistence (issue 4 §6): the real `acfleet cloud` on a file --state, jobs created and executions
 * advanced by devices the test plays over MQTT, then SIGTERM and a restart on the same state.
 * Every job, execution (status, versionNumber, statusDetails), thing group membership and the
 * event configuration is intact, and devices carry on: an IN_PROGRESS execution completes, a
 * CONTINUOUS job picks up a new group member, a SNAPSHOT job completes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AddThingToThingGroupCommand,
  CancelJobCommand,
  CreateJobCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  DescribeEventConfigurationsCommand,
  DescribeJobCommand,
  DescribeJobExecutionCommand,
  IoTClient,
  RemoveThingFromThingGroupCommand,
  UpdateEventConfigurationsCommand,
} from '@aws-sdk/client-iot';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli.js';
import { connectClient } from '../helpers/mqtt.js';
import { MessageLog, PlayedJobsDevice } from '../helpers/played-jobs-device.js';
import { freePort } from '../helpers/ports.js';

const dir = mkdtempSync(join(tmpdir(), 'acfleet-jobs-restart-'));
const state = join(dir, 'state', 'state.db');
const config = join(dir, 'fleet.yaml');
writeFileSync(
  config,
  `
seed: 5
speed: 1
broker: { type: embedded, host: 127.0.0.1, port: 1883 }
http: { host: 127.0.0.1, port: 8080 }
events: { job: false, jobExecution: false }
groups:
  - name: Alpha
    count: 4
    location: { city: São Paulo, country: BR, lat: -23.55, lon: -46.63, climate: { meanTemp: 21, dailySwing: 9, humidity: 78 } }
    initialState: { ledColor: red, tempUnit: fahrenheit, setpoint: 22, power: "on" }
  - name: Beta
    count: 2
    location: { city: London, country: GB, lat: 51.5, lon: -0.12, climate: { meanTemp: 10, dailySwing: 6, humidity: 80 } }
    initialState: { ledColor: red, tempUnit: celsius, setpoint: 21, power: "off" }
`,
);

const ARN = 'arn:aws:iot:us-east-1:123456789012';
const DOC = JSON.stringify({ tempUnit: 'celsius', ledColor: 'green' });

interface Cloud {
  proc: CliProcess;
  http: string;
  mqttUrl: string;
  iot: IoTClient;
  clients: { end(): Promise<void> }[];
}

const running: Cloud[] = [];

async function startCloud(): Promise<Cloud> {
  const httpPort = await freePort();
  const proc = new CliProcess(['cloud', '--config', config, '--mqtt-port', '0', '--http-port', String(httpPort), '--state', state]);
  const cloud: Cloud = { proc, http: `http://127.0.0.1:${httpPort}`, mqttUrl: '', iot: undefined as unknown as IoTClient, clients: [] };
  running.push(cloud);
  const [, mqttUrl] = await proc.waitFor(/MQTT\s+(mqtt:\/\/\S+)/);
  cloud.mqttUrl = String(mqttUrl);
  cloud.iot = new IoTClient({ endpoint: cloud.http, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 });
  return cloud;
}

async function stopCloud(cloud: Cloud): Promise<number | null> {
  for (const c of cloud.clients.splice(0)) await c.end().catch(() => undefined);
  cloud.iot?.destroy();
  const code = await cloud.proc.stop('SIGTERM');
  running.splice(running.indexOf(cloud), 1);
  return code;
}

afterEach(async () => {
  for (const c of [...running]) {
    for (const client of c.clients.splice(0)) await client.end().catch(() => undefined);
    c.iot?.destroy();
    await c.proc.stop('SIGKILL');
  }
  running.length = 0;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const deviceSecret = (): string => readFileSync(join(dir, 'state', 'device-secret'), 'utf8').trim();

async function device(cloud: Cloud, thing: string): Promise<PlayedJobsDevice> {
  const d = await PlayedJobsDevice.connect(cloud.mqttUrl, deviceSecret(), thing);
  cloud.clients.push({ end: () => d.close() });
  return d;
}

async function operator(cloud: Cloud): Promise<MessageLog> {
  const client: MqttClient = await connectClient(cloud.mqttUrl, { clientId: `restart-operator-${running.length}-${cloud.http.slice(-5)}` });
  cloud.clients.push({ end: () => client.endAsync(true) });
  await client.subscribeAsync(['$aws/events/job/#', '$aws/events/jobExecution/#'], { qos: 1 });
  return new MessageLog(client);
}

const get = async (cloud: Cloud, path: string): Promise<unknown> => {
  const res = await fetch(`${cloud.http}${path}`);
  return { status: res.status, body: (await res.json()) as unknown };
};

const JOBS = ['cont', 'snap', 'done', 'stopped'];
const EXECUTIONS: [string, string][] = [
  ['cont', 'Alpha-00001'],
  ['cont', 'Alpha-00002'],
  ['cont', 'api-thing'],
  ['snap', 'Alpha-00003'],
  ['snap', 'Beta-00001'],
  ['snap', 'Beta-00002'],
  ['done', 'Alpha-00004'],
  ['stopped', 'Alpha-00004'],
];

/** Everything the control plane says about the state, as raw JSON, for an exact comparison. */
async function everything(cloud: Cloud): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const j of JOBS) {
    out[`job ${j}`] = await get(cloud, `/jobs/${j}`);
    out[`document ${j}`] = await get(cloud, `/jobs/${j}/job-document`);
    out[`executions of ${j}`] = await get(cloud, `/jobs/${j}/things`);
  }
  for (const [j, t] of EXECUTIONS) {
    const described = (await get(cloud, `/things/${t}/jobs/${j}`)) as { body: { execution?: Record<string, unknown> } };
    // Time runs on through a restart: the time left to an execution's timeout is compared apart.
    const execution = described.body.execution;
    if (typeof execution?.approximateSecondsBeforeTimedOut === 'number') {
      out[`execution ${j} ${t} has a timeout running`] = true;
      delete execution.approximateSecondsBeforeTimedOut;
    }
    out[`execution ${j} ${t}`] = described;
  }
  for (const t of ['Alpha-00001', 'Alpha-00004', 'api-thing']) out[`jobs of ${t}`] = await get(cloud, `/things/${t}/jobs`);
  for (const g of ['Alpha', 'Beta', 'Rooftop']) {
    out[`group ${g}`] = await get(cloud, `/thing-groups/${g}`);
    out[`members of ${g}`] = await get(cloud, `/thing-groups/${g}/things`);
  }
  out['thing api-thing'] = await get(cloud, '/things/api-thing');
  out['event configurations'] = await get(cloud, '/event-configurations');
  out['jobs'] = await get(cloud, '/jobs');
  return out;
}

describe('acfleet cloud restarted on the same --state', () => {
  it('keeps every job, execution, membership and the event configuration; devices carry on', async () => {
    const first = await startCloud();
    const { iot } = first;

    // Registry: a group made over the API with an API-made thing in it; a fleet thing moved out of its group.
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'Rooftop', thingGroupProperties: { thingGroupDescription: 'units on the roof' } }));
    await iot.send(new CreateThingCommand({ thingName: 'api-thing', attributePayload: { attributes: { site: 'roof' } } }));
    for (const t of ['Alpha-00001', 'Alpha-00002', 'api-thing']) await iot.send(new AddThingToThingGroupCommand({ thingGroupName: 'Rooftop', thingName: t }));
    await iot.send(new RemoveThingFromThingGroupCommand({ thingGroupName: 'Alpha', thingName: 'Alpha-00002' }));
    // Events: fleet.yaml says off; the operator's choice must win after the restart.
    await iot.send(new UpdateEventConfigurationsCommand({ eventConfigurations: { JOB: { Enabled: true }, JOB_EXECUTION: { Enabled: true } } }));

    await iot.send(new CreateJobCommand({ jobId: 'cont', targets: [`${ARN}:thinggroup/Rooftop`], document: DOC, targetSelection: 'CONTINUOUS', description: 'continuous' }));
    await iot.send(
      new CreateJobCommand({
        jobId: 'snap',
        targets: [`${ARN}:thing/Alpha-00003`, `${ARN}:thinggroup/Beta`],
        document: JSON.stringify({ operation: 'settings-change', tempUnit: 'fahrenheit' }),
        description: 'snapshot',
        timeoutConfig: { inProgressTimeoutInMinutes: 600 },
        jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 0 }] },
        abortConfig: { criteriaList: [{ failureType: 'ALL', action: 'CANCEL', thresholdPercentage: 90, minNumberOfExecutedThings: 10 }] },
        jobExecutionsRolloutConfig: { maximumPerMinute: 1000 },
      }),
    );
    await iot.send(new CreateJobCommand({ jobId: 'done', targets: [`${ARN}:thing/Alpha-00004`], document: DOC }));
    await iot.send(new CreateJobCommand({ jobId: 'stopped', targets: [`${ARN}:thing/Alpha-00004`], document: DOC }));

    const a1 = await device(first, 'Alpha-00001');
    expect((await a1.update('cont', 'IN_PROGRESS', { statusDetails: { step: 'blue' } })).accepted).toBe(true);
    const a2 = await device(first, 'Alpha-00002');
    expect((await a2.update('cont', 'IN_PROGRESS')).accepted).toBe(true);
    expect((await a2.update('cont', 'SUCCEEDED', { statusDetails: { tempUnit: 'celsius' } })).accepted).toBe(true);
    const a3 = await device(first, 'Alpha-00003');
    expect((await a3.update('snap', 'IN_PROGRESS', { statusDetails: { progress: '10%' } })).accepted).toBe(true);
    expect((await a3.update('snap', 'IN_PROGRESS', { statusDetails: { progress: '50%' }, expectedVersion: 2 })).accepted).toBe(true);
    const b1 = await device(first, 'Beta-00001');
    expect((await b1.update('snap', 'FAILED', { statusDetails: { reason: 'no power' } })).accepted).toBe(true);
    const a4 = await device(first, 'Alpha-00004');
    expect((await a4.update('done', 'SUCCEEDED')).accepted).toBe(true);
    await iot.send(new CancelJobCommand({ jobId: 'stopped', reasonCode: 'NOT_NEEDED', comment: 'superseded' }));

    const before = await everything(first);
    // The fixture is what we think it is.
    expect(before['job done']).toMatchObject({ status: 200, body: { job: { status: 'COMPLETED' } } });
    expect(before['job stopped']).toMatchObject({ body: { job: { status: 'CANCELED', reasonCode: 'NOT_NEEDED', comment: 'superseded' } } });
    expect(before['execution cont Alpha-00001']).toMatchObject({ body: { execution: { status: 'IN_PROGRESS', versionNumber: 2, statusDetails: { detailsMap: { step: 'blue' } } } } });
    expect(before['execution snap Alpha-00003']).toMatchObject({ body: { execution: { status: 'IN_PROGRESS', versionNumber: 3, statusDetails: { detailsMap: { progress: '50%' } } } } });
    expect(before['execution snap Beta-00002']).toMatchObject({ body: { execution: { status: 'QUEUED', versionNumber: 1 } } });
    expect(before['members of Rooftop']).toEqual({ status: 200, body: { things: ['Alpha-00001', 'Alpha-00002', 'api-thing'] } });
    expect(before['members of Alpha']).toEqual({ status: 200, body: { things: ['Alpha-00001', 'Alpha-00003', 'Alpha-00004'] } });

    expect(await stopCloud(first)).toBe(0);

    const second = await startCloud();
    expect(second.http).not.toBe(first.http);
    expect(await everything(second)).toEqual(before);
    const events = await iot2Events(second);
    expect(events.JOB?.Enabled).toBe(true);
    expect(events.JOB_EXECUTION?.Enabled).toBe(true);

    // Devices reconnect to the new process and carry on.
    const ops = await operator(second);
    const again = await device(second, 'Alpha-00001');
    const resumed = await again.startNext();
    expect(resumed.json.execution).toMatchObject({ jobId: 'cont', status: 'IN_PROGRESS', versionNumber: 2, statusDetails: { step: 'blue' }, jobDocument: JSON.parse(DOC) as object });
    expect((await again.update('cont', 'SUCCEEDED', { expectedVersion: 2, statusDetails: { tempUnit: 'celsius', ledColor: 'green' } })).accepted).toBe(true);
    expect((await second.iot.send(new DescribeJobExecutionCommand({ jobId: 'cont', thingName: 'Alpha-00001' }))).execution).toMatchObject({ status: 'SUCCEEDED', versionNumber: 3 });
    // The restored event configuration is in force.
    expect((await ops.waitFor((m) => m.topic === '$aws/events/jobExecution/cont/succeeded', 10_000, 'the succeeded event')).json).toMatchObject({ thingArn: `${ARN}:thing/Alpha-00001` });

    // The CONTINUOUS job still follows its group.
    const joiner = await device(second, 'Beta-00002');
    await second.iot.send(new AddThingToThingGroupCommand({ thingGroupName: 'Rooftop', thingName: 'Beta-00002' }));
    expect((await second.iot.send(new DescribeJobExecutionCommand({ jobId: 'cont', thingName: 'Beta-00002' }))).execution).toMatchObject({ status: 'QUEUED', executionNumber: 1 });
    await joiner.waitFor((m) => m.topic.endsWith('/notify') && JSON.stringify(m.json).includes('"cont"'), 10_000, 'notify for cont');

    // The SNAPSHOT job completes once its last executions finish.
    const a3again = await device(second, 'Alpha-00003');
    expect((await a3again.update('snap', 'SUCCEEDED', { expectedVersion: 3 })).accepted).toBe(true);
    expect((await joiner.update('snap', 'REJECTED', { statusDetails: { reason: 'not for this unit' } })).accepted).toBe(true);
    const snap = (await second.iot.send(new DescribeJobCommand({ jobId: 'snap' }))).job;
    expect(snap).toMatchObject({ status: 'COMPLETED', jobProcessDetails: { numberOfSucceededThings: 1, numberOfFailedThings: 1, numberOfRejectedThings: 1 } });
    await ops.waitFor((m) => m.topic === '$aws/events/job/snap/completed', 10_000, 'the completed event');
    expect((await second.iot.send(new DescribeJobCommand({ jobId: 'cont' }))).job).toMatchObject({
      status: 'IN_PROGRESS',
      jobProcessDetails: { numberOfSucceededThings: 2, numberOfQueuedThings: 2 },
    });

    expect(await stopCloud(second)).toBe(0);
  });
});

async function iot2Events(cloud: Cloud): Promise<Record<string, { Enabled?: boolean } | undefined>> {
  return ((await cloud.iot.send(new DescribeEventConfigurationsCommand({}))).eventConfigurations ?? {}) as Record<string, { Enabled?: boolean } | undefined>;
}
