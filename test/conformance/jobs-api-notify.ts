/**
 * Jobs notifications (spec §1.5, §10 #20–25), the legacy SDK behaviour of §1.6 and per-thing
 * isolation (§10 #26), over real MQTT. Absence is asserted on the same connection: after the
 * triggering action, a `get` round trip proves every earlier service message has arrived.
 */
import { randomUUID } from 'node:crypto';
import { CancelJobCommand, DeleteJobCommand } from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { subscribeCodes } from '../helpers/mqtt.js';
import { JobsTestDevice, type JobsMessage, type JobsSuite } from './jobs-api-device.js';

const ids = (list: unknown): string[] => (list as { jobId: string }[]).map((s) => s.jobId);
const keys = (o: unknown): string[] => Object.keys(o as object).sort();
const execution = (m: JobsMessage): Record<string, unknown> => m.json.execution as Record<string, unknown>;

export function jobsNotifyConformance(s: JobsSuite): void {
  describe('notifications', () => notifications(s));
  describe('legacy SDKs (§1.6)', () => legacy(s));
  describe('isolation (§10 #26)', () => isolation(s));
}

/** Waits for exactly the expected notifications after `from`, then proves no other arrived. */
async function expectNotifications(d: JobsTestDevice, from: number, want: { notify: boolean; notifyNext: boolean }): Promise<{ notify?: JobsMessage; notifyNext?: JobsMessage }> {
  const notify = want.notify ? await d.next('notify', from) : undefined;
  const notifyNext = want.notifyNext ? await d.next('notify-next', from) : undefined;
  const end = await d.settle();
  const between = d.log.slice(from, end).map((m) => m.rel);
  expect(between.filter((r) => r === 'notify').length, `notify count in ${JSON.stringify(between)}`).toBe(want.notify ? 1 : 0);
  expect(between.filter((r) => r === 'notify-next').length, `notify-next count in ${JSON.stringify(between)}`).toBe(want.notifyNext ? 1 : 0);
  return { ...(notify ? { notify } : {}), ...(notifyNext ? { notifyNext } : {}) };
}

function notifications(s: JobsSuite): void {
  it('#20 first execution for a thing → notify and notify-next (QUEUED, version 1, execution 1)', async () => {
    const d = await s.freshDevice();
    const doc = { operation: 'setLedColor', ledColor: 'blue' };
    const from = d.mark();
    const jobId = await s.createJob(d.thing, doc);
    const { notify, notifyNext } = await expectNotifications(d, from, { notify: true, notifyNext: true });
    expect(keys(notify!.json)).toEqual(['jobs', 'timestamp']);
    expect(keys(notify!.json.jobs)).toEqual(['QUEUED']);
    const [summary] = (notify!.json.jobs as { QUEUED: Record<string, unknown>[] }).QUEUED;
    expect(keys(summary)).toEqual(['executionNumber', 'jobId', 'lastUpdatedAt', 'queuedAt', 'versionNumber']);
    expect(summary).toMatchObject({ jobId, versionNumber: 1, executionNumber: 1 });
    expect(keys(notifyNext!.json)).toEqual(['execution', 'timestamp']);
    const e = execution(notifyNext!);
    expect(e).toMatchObject({ jobId, thingName: d.thing, status: 'QUEUED', statusDetails: {}, versionNumber: 1, executionNumber: 1, queuedAt: summary!.queuedAt });
    expect(e).not.toHaveProperty('startedAt');
    expect(e.jobDocument).toEqual(doc);
  });

  it('#21 a second QUEUED execution → notify listing both, no notify-next', async () => {
    const d = await s.freshDevice();
    const j1 = await s.createJob(d.thing);
    await d.settle();
    const from = d.mark();
    const j2 = await s.createJob(d.thing);
    const { notify } = await expectNotifications(d, from, { notify: true, notifyNext: false });
    expect(keys(notify!.json.jobs)).toEqual(['QUEUED']);
    expect(ids((notify!.json.jobs as { QUEUED: unknown }).QUEUED)).toEqual([j1, j2]);
  });

  it('#22 head QUEUED→IN_PROGRESS (start-next or update) and progress updates → neither notification', async () => {
    const d = await s.freshDevice();
    const j1 = await s.createJob(d.thing);
    await s.createJob(d.thing);
    await d.settle();
    let from = d.mark();
    await d.accepted('start-next');
    await d.accepted(`${j1}/update`, { status: 'IN_PROGRESS', statusDetails: { progress: '50%' } });
    await expectNotifications(d, from, { notify: false, notifyNext: false });

    const e = await s.freshDevice();
    const k1 = await s.createJob(e.thing);
    await e.settle();
    from = e.mark();
    await e.accepted(`${k1}/update`, { status: 'IN_PROGRESS' });
    await expectNotifications(e, from, { notify: false, notifyNext: false });
  });

  it('#23 head turning terminal → notify without it and notify-next with the new head', async () => {
    const d = await s.freshDevice();
    const j1 = await s.createJob(d.thing);
    const j2 = await s.createJob(d.thing);
    const j3 = await s.createJob(d.thing);
    await d.accepted('start-next');
    await d.settle();
    let from = d.mark();
    await d.accepted(`${j1}/update`, { status: 'SUCCEEDED' });
    let got = await expectNotifications(d, from, { notify: true, notifyNext: true });
    expect(keys(got.notify!.json.jobs)).toEqual(['QUEUED']);
    expect(ids((got.notify!.json.jobs as { QUEUED: unknown }).QUEUED)).toEqual([j2, j3]);
    expect(execution(got.notifyNext!)).toMatchObject({ jobId: j2, status: 'QUEUED', versionNumber: 1 });

    from = d.mark();
    await d.accepted(`${j2}/update`, { status: 'FAILED' });
    got = await expectNotifications(d, from, { notify: true, notifyNext: true });
    expect(ids((got.notify!.json.jobs as { QUEUED: unknown }).QUEUED)).toEqual([j3]);
    expect(execution(got.notifyNext!)).toMatchObject({ jobId: j3, status: 'QUEUED' });
  });

  it('#24 last pending execution terminal → notify with "jobs":{} and notify-next without execution', async () => {
    const d = await s.freshDevice();
    const jobId = await s.createJob(d.thing);
    await d.accepted('start-next');
    await d.settle();
    const from = d.mark();
    await d.accepted(`${jobId}/update`, { status: 'SUCCEEDED' });
    const { notify, notifyNext } = await expectNotifications(d, from, { notify: true, notifyNext: true });
    expect(keys(notify!.json)).toEqual(['jobs', 'timestamp']);
    expect(notify!.json.jobs).toEqual({});
    expect(keys(notifyNext!.json)).toEqual(['timestamp']);
  });

  it('#25 non-head QUEUED→IN_PROGRESS that becomes head → notify-next with it, no notify', async () => {
    const d = await s.freshDevice();
    const j1 = await s.createJob(d.thing);
    const j2 = await s.createJob(d.thing);
    const j3 = await s.createJob(d.thing);
    await d.settle();
    let from = d.mark();
    await d.accepted(`${j2}/update`, { status: 'IN_PROGRESS', statusDetails: { step: 'early' } });
    const { notifyNext } = await expectNotifications(d, from, { notify: false, notifyNext: true });
    expect(execution(notifyNext!)).toMatchObject({ jobId: j2, status: 'IN_PROGRESS', statusDetails: { step: 'early' }, versionNumber: 2 });

    // Behind an older IN_PROGRESS, a newer one does not become head: nothing.
    from = d.mark();
    await d.accepted(`${j3}/update`, { status: 'IN_PROGRESS' });
    await expectNotifications(d, from, { notify: false, notifyNext: false });

    // In front of it (queued earlier), it does: IN_PROGRESS first, then by queuedAt (§1.5).
    from = d.mark();
    await d.accepted(`${j1}/update`, { status: 'IN_PROGRESS' });
    const again = await expectNotifications(d, from, { notify: false, notifyNext: true });
    expect(execution(again.notifyNext!)).toMatchObject({ jobId: j1, status: 'IN_PROGRESS' });
    expect(ids((await d.accepted('get')).inProgressJobs)).toEqual([j1, j2, j3]);
  });

  it('a non-head pending execution turning terminal → notify only', async () => {
    const d = await s.freshDevice();
    const j1 = await s.createJob(d.thing);
    const j2 = await s.createJob(d.thing);
    const j3 = await s.createJob(d.thing);
    await d.accepted(`${j3}/update`, { status: 'IN_PROGRESS' });
    await d.settle();
    const from = d.mark();
    await d.accepted(`${j2}/update`, { status: 'REJECTED' });
    const { notify } = await expectNotifications(d, from, { notify: true, notifyNext: false });
    expect(notify!.json.jobs).toMatchObject({ IN_PROGRESS: [{ jobId: j3 }], QUEUED: [{ jobId: j1 }] });
    expect(keys(notify!.json.jobs)).toEqual(['IN_PROGRESS', 'QUEUED']);
  });

  it('caps the notify and get lists at 10 entries each, oldest first', async () => {
    const d = await s.freshDevice();
    const jobs: string[] = [];
    for (let i = 0; i < 12; i++) jobs.push(await s.createJob(d.thing));
    await d.settle();
    const last = d.log.filter((m) => m.rel === 'notify').at(-1)!;
    expect(ids((last.json.jobs as { QUEUED: unknown }).QUEUED)).toEqual(jobs.slice(0, 10));
    const got = await d.accepted('get');
    expect(ids(got.queuedJobs)).toEqual(jobs.slice(0, 10));
    expect(got.inProgressJobs).toEqual([]);
  });

  it('service changes notify too: CancelJob, forced CancelJob and DeleteJob of the head', async () => {
    const d = await s.freshDevice();
    const j1 = await s.createJob(d.thing);
    const j2 = await s.createJob(d.thing);
    const j3 = await s.createJob(d.thing);
    const j4 = await s.createJob(d.thing);
    await d.settle();
    let from = d.mark();
    await s.iot().send(new CancelJobCommand({ jobId: j1 }));
    let got = await expectNotifications(d, from, { notify: true, notifyNext: true });
    expect(ids((got.notify!.json.jobs as { QUEUED: unknown }).QUEUED)).toEqual([j2, j3, j4]);
    expect(execution(got.notifyNext!)).toMatchObject({ jobId: j2 });

    await d.accepted('start-next');
    await d.settle();
    from = d.mark();
    await s.iot().send(new CancelJobCommand({ jobId: j2, force: true }));
    got = await expectNotifications(d, from, { notify: true, notifyNext: true });
    expect(execution(got.notifyNext!)).toMatchObject({ jobId: j3, status: 'QUEUED' });

    from = d.mark();
    await s.iot().send(new DeleteJobCommand({ jobId: j3, force: true }));
    got = await expectNotifications(d, from, { notify: true, notifyNext: true });
    expect(ids((got.notify!.json.jobs as { QUEUED: unknown }).QUEUED)).toEqual([j4]);
    expect(execution(got.notifyNext!)).toMatchObject({ jobId: j4 });
  });
}

function legacy(s: JobsSuite): void {
  it('v1 JS SDK: {} on $next/get, dispatch on jobDocument.operation, updates without clientToken', async () => {
    const thing = s.freshThing();
    const c = await s.connectAs(thing);
    const d = new JobsTestDevice(thing, c);
    await c.subscribeAsync([`${d.prefix}/$next/get/accepted`, `${d.prefix}/notify-next`], { qos: 1 });
    const from = d.mark();
    const jobId = await s.createJob(thing, { operation: 'customJob', otherInfo: 'x' });
    const note = await d.next('notify-next', from);
    expect((execution(note).jobDocument as { operation: string }).operation).toBe('customJob');

    const next = await d.raw('$next/get', {});
    expect(keys(next.json)).toEqual(['execution', 'timestamp']);
    expect(execution(next)).toMatchObject({ jobId, status: 'QUEUED', jobDocument: { operation: 'customJob' } });

    await c.publishAsync(`${d.prefix}/${jobId}/update`, JSON.stringify({ status: 'IN_PROGRESS', statusDetails: { operation: 'customJob', step: '1' } }), { qos: 1 });
    // $next/get answers after the update was handled: one service, requests handled in order.
    expect(execution(await d.raw('$next/get', {}))).toMatchObject({ jobId, status: 'IN_PROGRESS', versionNumber: 2, statusDetails: { step: '1' } });
    const end = d.mark();
    await c.publishAsync(`${d.prefix}/${jobId}/update`, JSON.stringify({ status: 'SUCCEEDED' }), { qos: 1 });
    const empty = await d.next('notify-next', end);
    expect(keys(empty.json)).toEqual(['timestamp']);
    expect(keys((await d.raw('$next/get', '{}')).json)).toEqual(['timestamp']);
  });

  it('v1 Python SDK: numeric strings, QoS 0 updates without clientToken or a listener', async () => {
    const d = await s.freshDevice();
    const j1 = await s.createJob(d.thing);
    await s.createJob(d.thing);
    const started = (await d.accepted('start-next', { statusDetails: { step: 'go' }, stepTimeoutInMinutes: '10080' })).execution;
    expect(started).toMatchObject({ jobId: j1, versionNumber: 2 });
    await d.client.publishAsync(`${d.prefix}/${j1}/update`, JSON.stringify({ status: 'IN_PROGRESS', statusDetails: { step: 'half' }, expectedVersion: '2', executionNumber: '1' }), { qos: 0 });
    expect(await d.describe(j1, { executionNumber: '1' })).toMatchObject({ status: 'IN_PROGRESS', versionNumber: 3, statusDetails: { step: 'half' } });
    const r = await d.raw(`${j1}/update`, { status: 'SUCCEEDED', expectedVersion: '3', executionNumber: '1' }, 0);
    expect(r.rel).toBe(`${j1}/update/accepted`);
    expect(keys(r.json)).toEqual(['timestamp']);
    expect(await d.describe(j1)).toMatchObject({ status: 'SUCCEEDED', versionNumber: 4 });
  });

  it('get with an empty payload or {} is an ordinary get', async () => {
    const d = await s.freshDevice();
    const jobId = await s.createJob(d.thing);
    for (const payload of ['', '{}']) {
      const r = await d.raw('get', payload);
      expect(r.rel).toBe('get/accepted');
      expect(keys(r.json)).toEqual(['inProgressJobs', 'queuedJobs', 'timestamp']);
      expect(ids(r.json.queuedJobs)).toEqual([jobId]);
    }
    expect(execution(await d.raw('$next/get', ''))).toMatchObject({ jobId });
  });
}

function isolation(s: JobsSuite): void {
  it("never delivers thing B's jobs messages to thing A", async () => {
    const bDevice = await s.freshDevice();
    const aThing = s.freshThing();
    const a = new JobsTestDevice(aThing, await s.connectAs(aThing));
    const b = bDevice.thing;
    expect(await subscribeCodes(a.client, [`${a.prefix}/#`])).toEqual([1]);
    const foreign = await subscribeCodes(a.client, [`$aws/things/${b}/jobs/#`, '$aws/things/+/jobs/#', `$aws/things/${b}/jobs/notify-next`]);
    // aedes refuses at SUBACK; mosquitto's acl_file grants the filter and filters each delivery instead.
    if (s.broker().kind === 'aedes') expect(foreign).toEqual([128, 128, 128]);

    const shared = await s.createJob([aThing, b]);
    const own = await s.createJob(b);
    await bDevice.next('notify-next', 0);
    await bDevice.accepted('get');
    await bDevice.accepted('start-next');
    await bDevice.accepted(`${shared}/update`, { status: 'SUCCEEDED' });
    await bDevice.rejected(`${shared}/update`, { status: 'IN_PROGRESS' });
    await bDevice.accepted(`${own}/get`);
    await bDevice.raw('get', 'garbage');
    // Positive control, and the round trip that proves B's traffic has passed: A's own answer.
    await a.settle();
    expect(a.log.some((m) => m.rel === 'notify-next')).toBe(true);
    expect(a.log.filter((m) => !m.topic.startsWith(`${a.prefix}/`)).map((m) => m.topic)).toEqual([]);
    expect(a.log.filter((m) => m.raw.includes(own) || m.raw.includes(b))).toEqual([]);
  });

  it("drops A's publishes on B's notify, accepted and request topics, and on its own notify topics", async () => {
    const bDevice = await s.freshDevice();
    const b = bDevice.prefix;
    const aThing = s.freshThing();
    const jobId = await s.createJob(bDevice.thing);
    await bDevice.settle();
    const from = bDevice.mark();
    const marker = `forged-${randomUUID()}`;
    const forged = { timestamp: 1, marker, jobs: {}, execution: { jobId: marker, status: 'SUCCEEDED' }, clientToken: marker };
    const forgeries = [`${b}/notify`, `${b}/notify-next`, `${b}/get/accepted`, `${b}/start-next/rejected`, `${b}/${jobId}/get/accepted`, `${b}/${jobId}/update/accepted`];
    const requests = [`${b}/${jobId}/update`, `${b}/start-next`];
    for (const topic of [...forgeries, ...requests]) {
      const payload = topic.endsWith('/update') ? { status: 'SUCCEEDED', clientToken: marker } : forged;
      await publishOnce(s, aThing, topic, payload, marker);
    }
    // A on its own response topics: whoever would receive them, A itself does not.
    for (const rel of ['notify', 'notify-next', 'get/accepted']) await publishOnce(s, aThing, `$aws/things/${aThing}/jobs/${rel}`, forged, marker);

    await bDevice.settle();
    expect(bDevice.since(from).filter((m) => m.raw.includes(marker))).toEqual([]);
    // Only its own settling round trip: its request heard back on jobs/#, and the answer.
    expect(bDevice.since(from).map((m) => m.rel).sort()).toEqual(['get', 'get/accepted']);
    expect(await bDevice.describe(jobId)).toMatchObject({ status: 'QUEUED', versionNumber: 1 });
  });
}

/**
 * Publishes one message as `thing` on a fresh connection that listens on its own jobs topics, and
 * waits until the broker has dealt with it. A forbidden publish is never delivered; what else
 * happens differs (the embedded broker closes the connection at once, mosquitto acknowledges
 * first), so the publisher's own log is checked after a round trip or the close, whichever comes.
 */
async function publishOnce(s: JobsSuite, thing: string, topic: string, payload: object, marker: string): Promise<void> {
  const c = await s.connectAs(thing);
  const d = new JobsTestDevice(thing, c);
  await c.subscribeAsync(`${d.prefix}/#`, { qos: 1 });
  const closed = new Promise<'closed'>((resolve) => c.once('close', () => resolve('closed')));
  const acked = c.publishAsync(topic, JSON.stringify(payload), { qos: 1 }).then(
    () => 'acked' as const,
    () => 'closed' as const,
  );
  if ((await Promise.race([acked, closed])) === 'acked') await Promise.race([d.settle().catch(() => undefined), closed]);
  expect(d.log.filter((m) => m.raw.includes(marker)), topic).toEqual([]);
  await c.endAsync(true).catch(() => undefined);
}
