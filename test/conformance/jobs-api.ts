/**
 * The Jobs device API (spec §1, §2, §10 #1–26) over real MQTT, written once and run against every
 * broker acfleet runs on. The test clients play the devices (no fleet runs, so executions stay
 * where a test puts them); jobs are created with the unmodified AWS SDK through the REST API.
 * Notifications, legacy SDK behaviour and isolation are in `jobs-api-notify.ts`.
 */
import { CancelJobCommand, CreateJobCommand, DeleteJobCommand, IoTClient } from '@aws-sdk/client-iot';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { devicePassword } from '../../src/core/device-password.js';
import { silentLogger } from '../../src/core/log.js';
import type { BrokerFactory, BrokerUnderTest } from '../helpers/brokers.js';
import { testFleetConfig } from '../helpers/fleet-config.js';
import { connectClient } from '../helpers/mqtt.js';
import { expectTimestamp, fromService, JobsTestDevice, thingArn, type JobsSuite } from './jobs-api-device.js';
import { jobsNotifyConformance } from './jobs-api-notify.js';

/** Registered things; every test takes fresh ones. */
const THINGS = 90;

const ids = (list: unknown): string[] => (list as { jobId: string }[]).map((s) => s.jobId);
const keys = (o: unknown): string[] => Object.keys(o as object).sort();

export function jobsApiConformance(factory: BrokerFactory): void {
  let b: BrokerUnderTest;
  let api: ApiServer;
  let iot: IoTClient;
  const clients: MqttClient[] = [];
  let thingCount = 0;
  let jobCount = 0;

  const s: JobsSuite = {
    broker: () => b,
    iot: () => iot,
    now: () => b.cloud.clock.now(),
    freshThing: () => {
      if (thingCount >= THINGS) throw new Error('out of fresh things: raise THINGS');
      return `Alpha-${String(++thingCount).padStart(5, '0')}`;
    },
    connectAs: async (thing) => {
      const c = await connectClient(b.mqttUrl, { clientId: thing, username: thing, password: devicePassword(b.deviceSecret, thing) });
      clients.push(c);
      return c;
    },
    freshDevice: async () => {
      const thing = s.freshThing();
      const c = await s.connectAs(thing);
      const d = new JobsTestDevice(thing, c);
      await c.subscribeAsync(`${d.prefix}/#`, { qos: 1 });
      return d;
    },
    createJob: async (things, document) => {
      const jobId = `job-${++jobCount}`;
      const targets = (Array.isArray(things) ? things : [things]).map(thingArn);
      const doc = document ?? { operation: 'setLedColor', ledColor: 'green', n: jobCount };
      const out = await iot.send(new CreateJobCommand({ jobId, targets, document: JSON.stringify(doc) }));
      expect(out.jobId).toBe(jobId);
      return jobId;
    },
  };

  beforeAll(async () => {
    b = await factory(testFleetConfig({ alpha: THINGS, beta: 2 }));
    api = await startApiServer(b.cloud, '127.0.0.1', 0, silentLogger());
    iot = new IoTClient({ endpoint: api.url, region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'x' }, maxAttempts: 1 });
  });

  afterAll(async () => {
    for (const c of clients) await c.endAsync(true).catch(() => undefined);
    iot?.destroy();
    await api?.close();
    await b?.stop();
  });

  describe('requests', () => jobsRequestConformance(s));
  jobsNotifyConformance(s);
}

function jobsRequestConformance(s: JobsSuite): void {
  it('#1 echoes clientToken unchanged in accepted and rejected, and returns none when none was sent', async () => {
    const d = await s.freshDevice();
    const jobId = await s.createJob(d.thing);
    const token = `tok ü "q" \\ 🚀 ${'x'.repeat(80)}`;
    for (const [op, body, verdict] of [
      ['get', {}, 'accepted'],
      ['$next/get', {}, 'accepted'],
      [`${jobId}/get`, {}, 'accepted'],
      ['start-next', {}, 'accepted'],
      [`${jobId}/update`, { status: 'IN_PROGRESS' }, 'accepted'],
      ['no-such-job/get', {}, 'rejected'],
      [`${jobId}/update`, { status: 'DONE' }, 'rejected'],
      [`${jobId}/update`, { status: 'QUEUED' }, 'rejected'],
    ] as const) {
      const withToken = await d.raw(op, { ...body, clientToken: token });
      expect(withToken.rel).toBe(`${op}/${verdict}`);
      expect(withToken.json.clientToken).toBe(token);
      const without = await d.raw(op, body);
      expect(without.rel).toBe(`${op}/${verdict}`);
      expect(without.json).not.toHaveProperty('clientToken');
    }
  });

  it('#2 stamps every response and notification with integer epoch seconds', async () => {
    const d = await s.freshDevice();
    const from = d.mark();
    const jobId = await s.createJob(d.thing);
    await d.next('notify', from);
    await d.next('notify-next', from);
    await d.accepted('get');
    await d.accepted('start-next');
    await d.accepted(`${jobId}/get`);
    await d.rejected(`${jobId}/update`, { status: 'IN_PROGRESS', expectedVersion: 1 });
    await d.accepted(`${jobId}/update`, { status: 'SUCCEEDED' });
    await d.raw('get', 'not json');
    const replies = d.since(from).filter(fromService);
    const rels = new Set(replies.map((m) => m.rel));
    for (const rel of ['notify', 'notify-next', 'get/accepted', 'get/rejected', 'start-next/accepted', `${jobId}/get/accepted`, `${jobId}/update/rejected`, `${jobId}/update/accepted`]) {
      expect(rels).toContain(rel);
    }
    for (const m of replies) expectTimestamp(m.json, s.now());
  });

  it('#3 answers get with nothing pending with two empty lists', async () => {
    const d = await s.freshDevice();
    const r = await d.accepted('get');
    expect(keys(r)).toEqual(['clientToken', 'inProgressJobs', 'queuedJobs', 'timestamp']);
    expect(r).toMatchObject({ inProgressJobs: [], queuedJobs: [] });
  });

  it('#4 splits get/accepted into IN_PROGRESS and QUEUED, each by queuedAt, never terminal', async () => {
    const d = await s.freshDevice();
    const [j1, j2, j3, j4, j5] = [await s.createJob(d.thing), await s.createJob(d.thing), await s.createJob(d.thing), await s.createJob(d.thing), await s.createJob(d.thing)];
    await d.accepted(`${j3}/update`, { status: 'IN_PROGRESS' });
    await d.accepted(`${j2}/update`, { status: 'IN_PROGRESS' });
    await d.accepted(`${j4}/update`, { status: 'FAILED' });
    await d.accepted(`${j1}/update`, { status: 'IN_PROGRESS' });
    await d.accepted(`${j1}/update`, { status: 'SUCCEEDED' });
    const r = await d.accepted('get');
    expect(ids(r.inProgressJobs)).toEqual([j2, j3]);
    expect(ids(r.queuedJobs)).toEqual([j5]);
    const [p2, p3] = r.inProgressJobs as Record<string, number>[];
    expect(p2!.queuedAt).toBeLessThanOrEqual(p3!.queuedAt!);
    expect(keys(p2)).toEqual(['executionNumber', 'jobId', 'lastUpdatedAt', 'queuedAt', 'startedAt', 'versionNumber']);
    expect(p2).toMatchObject({ versionNumber: 2, executionNumber: 1 });
    expect(keys((r.queuedJobs as object[])[0])).toEqual(['executionNumber', 'jobId', 'lastUpdatedAt', 'queuedAt', 'versionNumber']);
  });

  it('#5 answers start-next on an empty queue with no execution key', async () => {
    const d = await s.freshDevice();
    expect(keys(await d.accepted('start-next'))).toEqual(['clientToken', 'timestamp']);
    const jobId = await s.createJob(d.thing);
    await d.accepted(`${jobId}/update`, { status: 'REJECTED' });
    expect(keys(await d.accepted('start-next'))).toEqual(['clientToken', 'timestamp']);
  });

  it('#6 start-next on a QUEUED head: IN_PROGRESS, version +1, startedAt set, jobDocument an object', async () => {
    const d = await s.freshDevice();
    const doc = { operation: 'setTempUnit', tempUnit: 'celsius', nested: { a: [1, 2] } };
    const jobId = await s.createJob(d.thing, doc);
    const before = await d.describe(jobId);
    const r = await d.accepted('start-next', { statusDetails: { step: 'download' } });
    expect(keys(r)).toEqual(['clientToken', 'execution', 'timestamp']);
    const e = r.execution as Record<string, unknown>;
    expect(e).toMatchObject({ jobId, thingName: d.thing, status: 'IN_PROGRESS', statusDetails: { step: 'download' }, versionNumber: 2, executionNumber: 1, queuedAt: before.queuedAt });
    expect(e.jobDocument).toEqual(doc);
    expect(Number.isInteger(e.startedAt)).toBe(true);
    expect(e.startedAt as number).toBeGreaterThanOrEqual(before.queuedAt as number);
    expect(e.lastUpdatedAt).toBe(e.startedAt);
    expect(before).not.toHaveProperty('startedAt');
    expect(await d.describe(jobId)).toEqual(e);
  });

  it('#7 start-next returns an IN_PROGRESS execution before older QUEUED ones, unchanged', async () => {
    const d = await s.freshDevice();
    const j1 = await s.createJob(d.thing);
    const j2 = await s.createJob(d.thing);
    await d.accepted(`${j2}/update`, { status: 'IN_PROGRESS', statusDetails: { step: 'x' } });
    const before = await d.describe(j2);
    const e = (await d.accepted('start-next', { statusDetails: { step: 'y' } })).execution as Record<string, unknown>;
    expect(e).toEqual(before);
    expect(e).toMatchObject({ jobId: j2, status: 'IN_PROGRESS', statusDetails: { step: 'x' }, versionNumber: 2 });
    expect(await d.describe(j1)).toMatchObject({ status: 'QUEUED', versionNumber: 1 });
  });

  it('#8 {jobId}/get includes jobDocument unless includeJobDocument is false', async () => {
    const d = await s.freshDevice();
    const doc = { operation: 'reboot', delay: 5 };
    const jobId = await s.createJob(d.thing, doc);
    expect((await d.describe(jobId)).jobDocument).toEqual(doc);
    expect((await d.describe(jobId, { includeJobDocument: true })).jobDocument).toEqual(doc);
    const bare = await d.describe(jobId, { includeJobDocument: false });
    expect(bare).not.toHaveProperty('jobDocument');
    expect(bare).toMatchObject({ jobId, thingName: d.thing, status: 'QUEUED', versionNumber: 1, executionNumber: 1 });
  });

  it('#9 $next/get returns what start-next would pick and changes nothing', async () => {
    const d = await s.freshDevice();
    expect(keys(await d.accepted('$next/get'))).toEqual(['clientToken', 'timestamp']);
    const doc = { operation: 'first' };
    const j1 = await s.createJob(d.thing, doc);
    const j2 = await s.createJob(d.thing);
    const peek = (await d.accepted('$next/get')).execution as Record<string, unknown>;
    expect(peek).toMatchObject({ jobId: j1, status: 'QUEUED', versionNumber: 1, jobDocument: doc });
    expect((await d.accepted('$next/get')).execution).toEqual(peek);
    expect(await d.describe(j1)).toEqual(peek);
    expect(ids((await d.accepted('get')).queuedJobs)).toEqual([j1, j2]);
    const started = (await d.accepted('start-next')).execution as Record<string, unknown>;
    expect(started).toMatchObject({ jobId: j1, versionNumber: 2 });
    await d.accepted(`${j2}/update`, { status: 'IN_PROGRESS' });
    expect((await d.accepted('$next/get')).execution).toEqual(started);
    expect((await d.accepted('start-next')).execution).toEqual(started);
  });

  it('#10 get/update of a job with no execution on this thing → ResourceNotFound', async () => {
    const d = await s.freshDevice();
    const other = s.freshThing();
    const foreign = await s.createJob(other);
    const own = await s.createJob(d.thing);
    const deleted = await s.createJob(d.thing);
    await s.iot().send(new DeleteJobCommand({ jobId: deleted, force: true }));
    for (const jobId of ['never-created', foreign, deleted]) {
      for (const [op, body] of [[`${jobId}/get`, {}], [`${jobId}/update`, { status: 'IN_PROGRESS' }]] as const) {
        const r = await d.rejected(op, body);
        expect(r).toMatchObject({ code: 'ResourceNotFound' });
        expect(typeof r.message).toBe('string');
        expect(r).not.toHaveProperty('executionState');
      }
    }
    expect((await d.rejected(`${own}/get`, { executionNumber: 2 })).code).toBe('ResourceNotFound');
    expect((await d.rejected(`${own}/update`, { status: 'IN_PROGRESS', executionNumber: 2 })).code).toBe('ResourceNotFound');
    expect(await d.describe(own)).toMatchObject({ status: 'QUEUED', versionNumber: 1 });
  });

  it('#11 update IN_PROGRESS on QUEUED bumps versionNumber, and so does each further IN_PROGRESS', async () => {
    const d = await s.freshDevice();
    const jobId = await s.createJob(d.thing);
    await d.accepted(`${jobId}/update`, { status: 'IN_PROGRESS' });
    const first = await d.describe(jobId);
    expect(first).toMatchObject({ status: 'IN_PROGRESS', versionNumber: 2 });
    for (const v of [3, 4, 5]) {
      await d.accepted(`${jobId}/update`, { status: 'IN_PROGRESS', statusDetails: { progress: `${v}0%` } });
      expect(await d.describe(jobId)).toMatchObject({ status: 'IN_PROGRESS', versionNumber: v, startedAt: first.startedAt });
    }
  });

  it('#12 #13 update/accepted holds only timestamp and clientToken unless asked for state or document', async () => {
    const d = await s.freshDevice();
    const doc = { operation: 'setpoint', value: 21 };
    const jobId = await s.createJob(d.thing, doc);
    const op = `${jobId}/update`;
    expect(keys(await d.accepted(op, { status: 'IN_PROGRESS' }))).toEqual(['clientToken', 'timestamp']);
    const state = await d.accepted(op, { status: 'IN_PROGRESS', statusDetails: { progress: '10%' }, includeJobExecutionState: true });
    expect(keys(state)).toEqual(['clientToken', 'executionState', 'timestamp']);
    expect(state.executionState).toEqual({ status: 'IN_PROGRESS', statusDetails: { progress: '10%' }, versionNumber: 3 });
    const document = await d.accepted(op, { status: 'IN_PROGRESS', includeJobDocument: true, includeJobExecutionState: false });
    expect(keys(document)).toEqual(['clientToken', 'jobDocument', 'timestamp']);
    expect(document.jobDocument).toEqual(doc);
    const both = await d.accepted(op, { status: 'SUCCEEDED', statusDetails: { progress: '100%' }, includeJobExecutionState: true, includeJobDocument: true });
    expect(keys(both)).toEqual(['clientToken', 'executionState', 'jobDocument', 'timestamp']);
    expect(both.executionState).toEqual({ status: 'SUCCEEDED', statusDetails: { progress: '100%' }, versionNumber: 5 });
    expect(both.jobDocument).toEqual(doc);
  });

  it('#14 #15 a stale expectedVersion → VersionMismatch with executionState; "2" behaves exactly like 2', async () => {
    const d = await s.freshDevice();
    const jobId = await s.createJob(d.thing);
    const op = `${jobId}/update`;
    await d.accepted(op, { status: 'IN_PROGRESS', statusDetails: { step: 'a' }, expectedVersion: 1 });
    const mismatch = { code: 'VersionMismatch', executionState: { status: 'IN_PROGRESS', statusDetails: { step: 'a' }, versionNumber: 2 } };
    const numeric = await d.rejected(op, { status: 'SUCCEEDED', expectedVersion: 1 });
    expect(numeric).toMatchObject(mismatch);
    const text = await d.rejected(op, { status: 'SUCCEEDED', expectedVersion: '1' });
    expect(text).toMatchObject(mismatch);
    expect(keys(text)).toEqual(keys(numeric));
    expect(await d.describe(jobId)).toMatchObject({ status: 'IN_PROGRESS', versionNumber: 2 });
    await d.accepted(op, { status: 'IN_PROGRESS', expectedVersion: '2', executionNumber: '1', stepTimeoutInMinutes: '10080' });
    expect(await d.describe(jobId, { executionNumber: '1' })).toMatchObject({ versionNumber: 3 });
    await d.accepted(op, { status: 'SUCCEEDED', expectedVersion: 3 });
    expect(await d.describe(jobId)).toMatchObject({ status: 'SUCCEEDED', versionNumber: 4 });
  });

  it('#16 update on a terminal execution → InvalidStateTransition with executionState, whoever ended it', async () => {
    const d = await s.freshDevice();
    for (const status of ['SUCCEEDED', 'FAILED', 'REJECTED']) {
      const jobId = await s.createJob(d.thing);
      await d.accepted(`${jobId}/update`, { status: 'IN_PROGRESS', statusDetails: { s: status } });
      await d.accepted(`${jobId}/update`, { status });
      for (const next of ['IN_PROGRESS', 'SUCCEEDED', status]) {
        const r = await d.rejected(`${jobId}/update`, { status: next });
        expect(r).toMatchObject({ code: 'InvalidStateTransition', executionState: { status, statusDetails: { s: status }, versionNumber: 3 } });
      }
    }
    const canceled = await s.createJob(d.thing);
    await s.iot().send(new CancelJobCommand({ jobId: canceled }));
    expect(await d.rejected(`${canceled}/update`, { status: 'IN_PROGRESS' })).toMatchObject({ code: 'InvalidStateTransition', executionState: { status: 'CANCELED' } });
    const forced = await s.createJob(d.thing);
    await d.accepted(`${forced}/update`, { status: 'IN_PROGRESS' });
    await s.iot().send(new CancelJobCommand({ jobId: forced, force: true }));
    expect(await d.rejected(`${forced}/update`, { status: 'SUCCEEDED' })).toMatchObject({ code: 'InvalidStateTransition', executionState: { status: 'CANCELED' } });
    const queued = await s.createJob(d.thing);
    expect(await d.rejected(`${queued}/update`, { status: 'QUEUED' })).toMatchObject({ code: 'InvalidStateTransition', executionState: { status: 'QUEUED', versionNumber: 1 } });
  });

  it('#17 update with a missing or invalid status → InvalidRequest, and nothing changes', async () => {
    const d = await s.freshDevice();
    const jobId = await s.createJob(d.thing);
    for (const body of [{}, { statusDetails: { a: 'b' } }, { status: 'DONE' }, { status: 'in_progress' }, { status: 5 }, { status: ['IN_PROGRESS'] }, { status: 'CANCELED' }, { status: 'TIMED_OUT' }, { status: 'REMOVED' }]) {
      const r = await d.rejected(`${jobId}/update`, body);
      expect(r.code, JSON.stringify(body)).toBe('InvalidRequest');
      expect(r).not.toHaveProperty('executionState');
    }
    expect(await d.describe(jobId)).toMatchObject({ status: 'QUEUED', versionNumber: 1, statusDetails: {} });
  });

  it('rejects other bad request content with InvalidRequest (statusDetails, step timeout, numbers)', async () => {
    const d = await s.freshDevice();
    const jobId = await s.createJob(d.thing);
    const bad = [
      { statusDetails: { 'bad key!': 'v' } },
      { statusDetails: { k: 1 } },
      { statusDetails: { k: '' } },
      { statusDetails: ['a'] },
      { stepTimeoutInMinutes: 0 },
      { stepTimeoutInMinutes: 10081 },
      { expectedVersion: 'two' },
      { executionNumber: 'one' },
    ];
    for (const body of bad) {
      expect((await d.rejected(`${jobId}/update`, { status: 'IN_PROGRESS', ...body })).code, JSON.stringify(body)).toBe('InvalidRequest');
    }
    for (const body of bad.slice(0, 6)) expect((await d.rejected('start-next', body)).code, JSON.stringify(body)).toBe('InvalidRequest');
    expect((await d.rejected(`${jobId}/get`, { executionNumber: 'one' })).code).toBe('InvalidRequest');
    expect(await d.describe(jobId)).toMatchObject({ status: 'QUEUED', versionNumber: 1 });
  });

  it('#18 answers a non-JSON payload on every request topic with InvalidJson on <topic>/rejected', async () => {
    const d = await s.freshDevice();
    const jobId = await s.createJob(d.thing);
    for (const op of ['get', 'start-next', '$next/get', `${jobId}/get`, `${jobId}/update`]) {
      for (const payload of ['{"status": ', 'IN_PROGRESS', '[1,2]', '"text"', '42', 'null', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])]) {
        const r = await d.raw(op, payload);
        expect(r.rel, `${op} ${String(payload)}`).toBe(`${op}/rejected`);
        expect(r.json).toMatchObject({ code: 'InvalidJson' });
        expect(r.json).not.toHaveProperty('clientToken');
      }
    }
    expect(await d.describe(jobId)).toMatchObject({ status: 'QUEUED', versionNumber: 1 });
  });

  it('answers a topic under jobs/ that maps to no API with InvalidTopic on <topic>/rejected', async () => {
    const d = await s.freshDevice();
    const jobId = await s.createJob(d.thing);
    for (const op of ['$next/update', 'bad.id/get', 'bad.id/update', `${'x'.repeat(65)}/get`]) {
      const r = await d.raw(op, { status: 'SUCCEEDED', clientToken: 'it-1' });
      expect(r.rel).toBe(`${op}/rejected`);
      expect(r.json).toMatchObject({ code: 'InvalidTopic', clientToken: 'it-1' });
      expect(r.json).not.toHaveProperty('executionState');
      expect((await d.raw(op, { status: 'SUCCEEDED' })).json).not.toHaveProperty('clientToken');
    }
    expect(await d.describe(jobId)).toMatchObject({ status: 'QUEUED', versionNumber: 1 });
  });

  it('#19 a given statusDetails replaces the stored map; an omitted one leaves it', async () => {
    const d = await s.freshDevice();
    const jobId = await s.createJob(d.thing);
    const op = `${jobId}/update`;
    await d.accepted(op, { status: 'IN_PROGRESS', statusDetails: { a: '1', b: '2' } });
    expect((await d.describe(jobId)).statusDetails).toEqual({ a: '1', b: '2' });
    await d.accepted(op, { status: 'IN_PROGRESS', statusDetails: { c: '3' } });
    expect((await d.describe(jobId)).statusDetails).toEqual({ c: '3' });
    await d.accepted(op, { status: 'IN_PROGRESS' });
    expect((await d.describe(jobId)).statusDetails).toEqual({ c: '3' });
    const state = await d.accepted(op, { status: 'SUCCEEDED', includeJobExecutionState: true });
    expect(state.executionState).toEqual({ status: 'SUCCEEDED', statusDetails: { c: '3' }, versionNumber: 5 });
  });
}
