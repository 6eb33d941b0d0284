import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventSettings } from '../../src/cloud/event-configurations.js';
import { JobsService } from '../../src/cloud/jobs/service.js';
import { Registry } from '../../src/cloud/registry/registry.js';
import { openStore, WriteBatcher, type Db } from '../../src/cloud/store/sqlite.js';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { FakeBroker } from '../helpers/fake-service-broker.js';

const SCOPE = { region: 'us-east-1', account: '123456789012' };
const START = Date.UTC(2026, 10, 23, 12);
const groupArn = (g: string): string => `arn:aws:iot:us-east-1:123456789012:thinggroup/${g}`;
const thingArn = (t: string): string => `arn:aws:iot:::thing/${t}`;
const DOC = JSON.stringify({ tempUnit: 'celsius', ledColor: 'green' });

let db: Db;
let clock: FakeClock;
let registry: Registry;
let jobs: JobsService;
let broker: FakeBroker;
let batcher: WriteBatcher;

async function startService(): Promise<void> {
  batcher = new WriteBatcher(db);
  const events = new EventSettings(db, { job: true, jobExecution: true }, clock.now() / 1000);
  jobs = new JobsService({ db, batcher, registry, events, scope: SCOPE, clock, log: silentLogger(), options: { waiveScheduleMinimumLead: true } });
  broker = new FakeBroker();
  await jobs.attach(broker.client);
}

function value<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
}

const P = (t: string): string => `$aws/things/${t}/jobs`;

beforeEach(async () => {
  db = openStore(':memory:');
  clock = new FakeClock(START);
  registry = new Registry(db, SCOPE);
  for (const t of ['sp1', 'sp2', 'ny1']) value(registry.createThing(t, {}, START / 1000));
  value(registry.createThingGroup('SaoPaulo', {}, START / 1000));
  value(registry.createThingGroup('NewYork', {}, START / 1000));
  value(registry.addThingToThingGroup('SaoPaulo', 'sp1'));
  value(registry.addThingToThingGroup('SaoPaulo', 'sp2'));
  value(registry.addThingToThingGroup('NewYork', 'ny1'));
  await startService();
});

describe('a job through its life', () => {
  it('queues an execution per target thing and announces it to each', async () => {
    value(await jobs.control.createJob('j1', { targets: [groupArn('SaoPaulo')], document: DOC }));
    for (const t of ['sp1', 'sp2']) {
      expect(broker.on(`${P(t)}/notify`)).toHaveLength(1);
      const next = broker.on(`${P(t)}/notify-next`)[0]?.body;
      expect(next).toMatchObject({ execution: { jobId: 'j1', status: 'QUEUED', versionNumber: 1, executionNumber: 1, jobDocument: { tempUnit: 'celsius' } } });
    }
    expect(broker.on(`${P('ny1')}/notify`)).toHaveLength(0);
    const job = value(jobs.control.describeJob('j1')).job;
    expect(job).toMatchObject({ status: 'IN_PROGRESS', createdAt: START / 1000, jobProcessDetails: { numberOfQueuedThings: 2 } });
  });

  it('runs start-next → update SUCCEEDED, then completes the SNAPSHOT job with events', async () => {
    value(await jobs.control.createJob('j1', { targets: [groupArn('SaoPaulo')], document: DOC }));
    clock.advance(5_000);
    for (const t of ['sp1', 'sp2']) {
      const started = broker.request(`${P(t)}/start-next`, { clientToken: `c-${t}` });
      expect(started.topic).toBe(`${P(t)}/start-next/accepted`);
      expect(started.body).toMatchObject({ execution: { status: 'IN_PROGRESS', versionNumber: 2, startedAt: START / 1000 + 5 }, clientToken: `c-${t}` });
    }
    broker.clear();
    const done = broker.request(`${P('sp1')}/j1/update`, { status: 'SUCCEEDED', expectedVersion: '2', statusDetails: { ledColor: 'green' } });
    expect(done.topic).toBe(`${P('sp1')}/j1/update/accepted`);
    expect(broker.on(`${P('sp1')}/notify`)[0]?.body).toEqual({ timestamp: START / 1000 + 5, jobs: {} });
    expect(broker.on(`${P('sp1')}/notify-next`)[0]?.body).toEqual({ timestamp: START / 1000 + 5 });
    expect(broker.on('$aws/events/jobExecution/j1/succeeded')[0]?.body).toMatchObject({ status: 'SUCCEEDED', statusDetails: { ledColor: 'green' } });
    expect(value(jobs.control.describeJob('j1')).job).toMatchObject({ status: 'IN_PROGRESS' });

    broker.request(`${P('sp2')}/j1/update`, { status: 'FAILED' });
    const job = value(jobs.control.describeJob('j1')).job;
    expect(job).toMatchObject({ status: 'COMPLETED', completedAt: START / 1000 + 5, jobProcessDetails: { numberOfSucceededThings: 1, numberOfFailedThings: 1 } });
    expect(broker.on('$aws/events/job/j1/completed')[0]?.body).toMatchObject({ status: 'COMPLETED', jobProcessDetails: { numberOfSucceededThings: 1 } });
  });

  it('completes a SNAPSHOT job with no targets at once', async () => {
    value(registry.createThingGroup('Empty', {}, 0));
    value(await jobs.control.createJob('j0', { targets: [groupArn('Empty')], document: DOC }));
    expect(value(jobs.control.describeJob('j0')).job.status).toBe('COMPLETED');
  });

  it('rejects unknown targets, duplicate ids and a missing document', async () => {
    expect(await jobs.control.createJob('j1', { targets: [thingArn('nobody')], document: DOC })).toMatchObject({ ok: false, error: { code: 'ResourceNotFound' } });
    expect(await jobs.control.createJob('j1', { targets: [thingArn('sp1')] })).toMatchObject({ ok: false, error: { code: 'InvalidRequest' } });
    value(await jobs.control.createJob('j1', { targets: [thingArn('sp1')], document: DOC }));
    expect(await jobs.control.createJob('j1', { targets: [thingArn('sp1')], document: DOC })).toMatchObject({
      ok: false,
      error: { code: 'ResourceAlreadyExists', message: 'Job j1 already exists.', resourceId: 'j1' },
    });
    expect(await jobs.control.createJob('j2', { targets: [thingArn('sp1')], document: '[1,2]' })).toMatchObject({ ok: false, error: { code: 'InvalidRequest' } });
    const file = join(mkdtempSync(join(tmpdir(), 'acfleet-doc-')), 'list.json');
    writeFileSync(file, '[1,2]');
    expect(await jobs.control.createJob('j3', { targets: [thingArn('sp1')], documentSource: file })).toMatchObject({ ok: false, error: { code: 'InvalidRequest', message: expect.stringContaining('JSON object') } });
    expect(jobs.control.describeJob('j3')).toMatchObject({ ok: false, error: { code: 'ResourceNotFound' } });
  });
});

describe('CONTINUOUS and SNAPSHOT jobs follow group membership differently', () => {
  it('gives a CONTINUOUS job to joiners at once, REMOVES it from leavers, and again to returners', async () => {
    value(await jobs.control.createJob('c1', { targets: [groupArn('SaoPaulo')], document: DOC, targetSelection: 'CONTINUOUS' }));
    value(registry.addThingToThingGroup('SaoPaulo', 'ny1'));
    expect(jobs.store.find('c1', 'ny1')).toMatchObject({ status: 'QUEUED', executionNumber: 1 });

    value(registry.removeThingFromThingGroup('SaoPaulo', 'ny1'));
    expect(jobs.store.find('c1', 'ny1')).toMatchObject({ status: 'REMOVED' });
    expect(broker.on('$aws/events/jobExecution/c1/removed')).toHaveLength(1);

    value(registry.addThingToThingGroup('SaoPaulo', 'ny1'));
    expect(jobs.store.find('c1', 'ny1')).toMatchObject({ status: 'QUEUED', executionNumber: 2 });
    expect(value(jobs.control.describeJob('c1')).job).toMatchObject({ status: 'IN_PROGRESS', jobProcessDetails: { numberOfQueuedThings: 3, numberOfRemovedThings: 0 } });
  });

  it('leaves an IN_PROGRESS execution running when its thing leaves, and keeps a thing still targeted another way', async () => {
    value(await jobs.control.createJob('c1', { targets: [groupArn('SaoPaulo'), thingArn('sp2')], document: DOC, targetSelection: 'CONTINUOUS' }));
    broker.request(`${P('sp1')}/start-next`);
    value(registry.removeThingFromThingGroup('SaoPaulo', 'sp1'));
    value(registry.removeThingFromThingGroup('SaoPaulo', 'sp2'));
    expect(jobs.store.find('c1', 'sp1')?.status).toBe('IN_PROGRESS');
    expect(jobs.store.find('c1', 'sp2')?.status).toBe('QUEUED');
  });

  it('reaches things of child groups when a parent group is targeted', async () => {
    value(registry.createThingGroup('Brazil', {}, 0));
    value(registry.createThingGroup('Rio', { parentGroupName: 'Brazil' }, 0));
    value(registry.addThingToThingGroup('Rio', 'ny1'));
    value(await jobs.control.createJob('c1', { targets: [groupArn('Brazil')], document: DOC, targetSelection: 'CONTINUOUS' }));
    expect(jobs.store.find('c1', 'ny1')?.status).toBe('QUEUED');
    value(registry.addThingToThingGroup('Rio', 'sp1'));
    expect(jobs.store.find('c1', 'sp1')?.status).toBe('QUEUED');
  });

  it('gives a SNAPSHOT job to nobody who joins later', async () => {
    value(await jobs.control.createJob('s1', { targets: [groupArn('SaoPaulo')], document: DOC }));
    value(registry.addThingToThingGroup('SaoPaulo', 'ny1'));
    expect(jobs.store.find('s1', 'ny1')).toBeUndefined();
  });

  it('removes the pending executions of a deleted thing', async () => {
    value(await jobs.control.createJob('s1', { targets: [thingArn('sp1')], document: DOC }));
    value(registry.deleteThing('sp1'));
    expect(jobs.store.find('s1', 'sp1')?.status).toBe('REMOVED');
    expect(value(jobs.control.describeJob('s1')).job.status).toBe('COMPLETED');
  });
});

describe('cancel and delete', () => {
  it('cancels QUEUED executions, lets IN_PROGRESS ones finish, and force-cancels them on request', async () => {
    value(await jobs.control.createJob('j1', { targets: [groupArn('SaoPaulo')], document: DOC }));
    broker.request(`${P('sp1')}/start-next`);
    value(jobs.control.cancelJob('j1', { reasonCode: 'OPERATOR', comment: 'stop' }, false));
    expect(jobs.store.find('j1', 'sp2')?.status).toBe('CANCELED');
    expect(jobs.store.find('j1', 'sp1')?.status).toBe('IN_PROGRESS');
    expect(value(jobs.control.describeJob('j1')).job).toMatchObject({ status: 'CANCELED', reasonCode: 'OPERATOR', comment: 'stop', forceCanceled: false });
    expect(broker.on('$aws/events/job/j1/cancellation_in_progress')).toHaveLength(1);
    expect(broker.on('$aws/events/job/j1/canceled')[0]?.body).toMatchObject({ comment: 'stop' });

    value(jobs.control.cancelJob('j1', {}, true));
    expect(jobs.store.find('j1', 'sp1')).toMatchObject({ status: 'CANCELED', forceCanceled: true });
    const reply = broker.request(`${P('sp1')}/j1/update`, { status: 'SUCCEEDED' });
    expect(reply.body).toMatchObject({ code: 'InvalidStateTransition', executionState: { status: 'CANCELED' } });
    expect(jobs.control.cancelJob('j1', {}, true)).toMatchObject({ ok: false, error: { code: 'InvalidRequest' } });
  });

  it('deletes an active job only with force, notifying its things, and frees the id', async () => {
    value(await jobs.control.createJob('j1', { targets: [groupArn('SaoPaulo')], document: DOC }));
    expect(jobs.control.deleteJob('j1', false)).toMatchObject({ ok: false, error: { code: 'InvalidStateTransition' } });
    broker.clear();
    value(jobs.control.deleteJob('j1', true));
    expect(broker.on(`${P('sp1')}/notify-next`)[0]?.body).not.toHaveProperty('execution');
    expect(broker.on('$aws/events/job/j1/deleted')).toHaveLength(1);
    expect(jobs.control.describeJob('j1')).toMatchObject({ ok: false, error: { code: 'ResourceNotFound' } });
    expect(broker.request(`${P('sp1')}/j1/get`).body).toMatchObject({ code: 'ResourceNotFound' });
    value(await jobs.control.createJob('j1', { targets: [thingArn('sp1')], document: DOC }));
  });

  it('cancels and deletes single executions by the rules of §3.2', async () => {
    value(await jobs.control.createJob('j1', { targets: [groupArn('SaoPaulo')], document: DOC }));
    broker.request(`${P('sp1')}/start-next`);
    expect(jobs.executions.cancel('sp1', 'j1', {}, false)).toMatchObject({ ok: false, error: { code: 'InvalidStateTransition' } });
    expect(jobs.executions.cancel('sp1', 'j1', { expectedVersion: 1 }, true)).toMatchObject({ ok: false, error: { code: 'VersionConflict' } });
    value(jobs.executions.cancel('sp1', 'j1', { statusDetails: { why: 'operator' } }, true));
    expect(jobs.store.find('j1', 'sp1')).toMatchObject({ status: 'CANCELED', statusDetails: { why: 'operator' } });
    expect(jobs.executions.delete('sp1', 'j1', 2, false)).toMatchObject({ ok: false, error: { code: 'ResourceNotFound' } });
    expect(jobs.executions.delete('sp2', 'j1', 1, false)).toMatchObject({ ok: false, error: { code: 'InvalidStateTransition' } });
    value(jobs.executions.delete('sp1', 'j1', 1, false));
    expect(jobs.store.find('j1', 'sp1')).toBeUndefined();
  });
});

describe('scheduling and restarts', () => {
  it('holds a scheduled job without executions until its start time, across a restart', async () => {
    const start = new Date(START + 60 * 60_000).toISOString().slice(0, 16);
    value(await jobs.control.createJob('later', { targets: [groupArn('SaoPaulo')], document: DOC, schedulingConfig: { startTime: start } }));
    expect(value(jobs.control.describeJob('later')).job.status).toBe('SCHEDULED');
    expect(jobs.store.find('later', 'sp1')).toBeUndefined();
    batcher.flush();
    jobs.close();
    await startService();
    clock.advance(59 * 60_000);
    expect(jobs.store.find('later', 'sp1')).toBeUndefined();
    clock.advance(60_000);
    expect(value(jobs.control.describeJob('later')).job.status).toBe('IN_PROGRESS');
    expect(jobs.store.find('later', 'sp1')?.status).toBe('QUEUED');
  });

  it('starts a job scheduled months ahead at its start time, not earlier', async () => {
    const startMs = START + 200 * 24 * 60 * 60_000;
    value(await jobs.control.createJob('far', { targets: [thingArn('sp1')], document: DOC, schedulingConfig: { startTime: new Date(startMs).toISOString().slice(0, 16) } }));
    clock.advanceTo(startMs - 60_000);
    expect(value(jobs.control.describeJob('far')).job.status).toBe('SCHEDULED');
    clock.advanceTo(startMs);
    expect(jobs.store.find('far', 'sp1')?.status).toBe('QUEUED');
  });

  it('stores a job deleted and recreated under the same id within one write batch as the new job only', async () => {
    value(await jobs.control.createJob('again', { targets: [groupArn('SaoPaulo')], document: DOC }));
    value(await jobs.control.createJob('other', { targets: [thingArn('sp1')], document: DOC }));
    batcher.flush();
    value(jobs.control.deleteJob('again', true));
    value(await jobs.control.createJob('again', { targets: [thingArn('ny1')], document: DOC }));
    batcher.flush();
    jobs.close();
    await startService();
    expect(value(jobs.control.describeJob('again')).job).toMatchObject({ targets: [thingArn('ny1')], jobProcessDetails: { numberOfQueuedThings: 1 } });
    expect(jobs.store.find('again', 'sp1')).toBeUndefined();
    // Created after 'other' this time, and listed so.
    expect(value(jobs.control.listJobs({})).jobs.map((j) => j.jobId)).toEqual(['other', 'again']);
  });

  it('restores jobs, executions, counters and creation order from the store', async () => {
    value(await jobs.control.createJob('a', { targets: [groupArn('SaoPaulo')], document: DOC }));
    value(await jobs.control.createJob('b', { targets: [thingArn('sp1')], document: DOC, targetSelection: 'CONTINUOUS' }));
    broker.request(`${P('sp1')}/start-next`);
    broker.request(`${P('sp1')}/a/update`, { status: 'IN_PROGRESS', statusDetails: { step: '2' } });
    batcher.flush();
    jobs.close();
    await startService();
    expect(jobs.store.find('a', 'sp1')).toMatchObject({ status: 'IN_PROGRESS', versionNumber: 3, statusDetails: { step: '2' } });
    expect(value(jobs.control.describeJob('a')).job).toMatchObject({ jobProcessDetails: { numberOfInProgressThings: 1, numberOfQueuedThings: 1 } });
    expect(value(jobs.control.listJobs({})).jobs.map((j) => j.jobId)).toEqual(['a', 'b']);
    expect(broker.request(`${P('sp1')}/get`).body).toMatchObject({ inProgressJobs: [{ jobId: 'a' }], queuedJobs: [{ jobId: 'b' }] });
  });
});
