/**
 * The Jobs control plane and thing registry through the unmodified AWS SDK v3 (`@aws-sdk/client-iot`),
 * against the real cloud stack on random ports: CreateJob / DescribeJob / GetJobDocument / ListJobs /
 * UpdateJob, execution describe/list, registry operations, DescribeEndpoint, pagination (spec §3, §10 #30, #31, #41).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AddThingToThingGroupCommand,
  CreateJobCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  DeleteThingCommand,
  DescribeEndpointCommand,
  DescribeJobCommand,
  DescribeJobExecutionCommand,
  DescribeThingCommand,
  DescribeThingGroupCommand,
  GetJobDocumentCommand,
  InvalidRequestException,
  ListJobExecutionsForJobCommand,
  ListJobExecutionsForThingCommand,
  ListJobsCommand,
  ListThingGroupsCommand,
  ListThingsCommand,
  ListThingsInThingGroupCommand,
  RemoveThingFromThingGroupCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  UpdateJobCommand,
  type ListJobsCommandInput,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawGet, startJobsStack, type JobsStack } from '../helpers/jobs-stack.js';

let s: JobsStack;
const dir = mkdtempSync(join(tmpdir(), 'acfleet-jobs-cp-'));
const ACCOUNT = '123456789012';
const arn = (kind: 'thing' | 'thinggroup' | 'job', name: string): string => `arn:aws:iot:us-east-1:${ACCOUNT}:${kind}/${name}`;
const DOC = JSON.stringify({ tempUnit: 'celsius', ledColor: 'green' });
const FLEET_THINGS = [...[1, 2, 3, 4, 5, 6].map((i) => `Alpha-0000${i}`), ...[1, 2, 3, 4].map((i) => `Beta-0000${i}`)];

beforeAll(async () => {
  s = await startJobsStack({ alpha: 6, beta: 4 });
});

afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every page of a list operation, checking each honours maxResults and only non-last pages carry nextToken. */
async function allPages<T>(fetchPage: (nextToken: string | undefined) => Promise<{ items: T[] | undefined; nextToken?: string | undefined }>, maxResults: number): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await fetchPage(token);
    pages++;
    expect(page.items?.length ?? 0).toBeLessThanOrEqual(maxResults);
    if (page.nextToken !== undefined) expect(page.items).toHaveLength(maxResults);
    items.push(...(page.items ?? []));
    token = page.nextToken;
    expect(pages).toBeLessThan(100);
  } while (token !== undefined);
  return { items, pages };
}

describe('thing registry through @aws-sdk/client-iot', () => {
  it('CreateThing (idempotent for the same configuration), DescribeThing, ListThings with filters and paging, DeleteThing', async () => {
    const thingName = 'cp-thing-1';
    const created = await s.iot.send(new CreateThingCommand({ thingName, attributePayload: { attributes: { colour: 'blue' } } }));
    expect(created).toMatchObject({ thingName, thingArn: arn('thing', thingName) });
    expect(created.thingId).toMatch(/\S/);
    const again = await s.iot.send(new CreateThingCommand({ thingName, attributePayload: { attributes: { colour: 'blue' } } }));
    expect(again.thingId).toBe(created.thingId);
    const conflict = s.iot.send(new CreateThingCommand({ thingName, attributePayload: { attributes: { colour: 'red' } } }));
    await expect(conflict).rejects.toBeInstanceOf(ResourceAlreadyExistsException);

    const described = await s.iot.send(new DescribeThingCommand({ thingName }));
    expect(described).toMatchObject({ thingName, thingArn: arn('thing', thingName), thingId: created.thingId, defaultClientId: thingName, attributes: { colour: 'blue' } });
    expect(typeof described.version).toBe('number');
    const fleetThing = await s.iot.send(new DescribeThingCommand({ thingName: 'Alpha-00001' }));
    expect(fleetThing).toMatchObject({ thingName: 'Alpha-00001', thingArn: arn('thing', 'Alpha-00001') });

    const { items, pages } = await allPages(async (nextToken) => {
      const r = await s.iot.send(new ListThingsCommand({ maxResults: 4, nextToken }));
      return { items: r.things, nextToken: r.nextToken };
    }, 4);
    expect(pages).toBe(3);
    expect(items.map((t) => t.thingName).sort()).toEqual([...FLEET_THINGS, thingName].sort());
    const filtered = await s.iot.send(new ListThingsCommand({ attributeName: 'colour', attributeValue: 'blue' }));
    expect(filtered.things?.map((t) => t.thingName)).toEqual([thingName]);
    expect(filtered.nextToken).toBeUndefined();

    await s.iot.send(new DeleteThingCommand({ thingName }));
    await expect(s.iot.send(new DescribeThingCommand({ thingName }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const after = await s.iot.send(new ListThingsCommand({ maxResults: 250 }));
    expect(after.things?.map((t) => t.thingName)).not.toContain(thingName);
  });

  it('thing groups: Create (idempotent), Describe, List (prefix, paging), Add/Remove membership by name and by ARN, ListThingsInThingGroup', async () => {
    const group = 'cp-group';
    const props = { thingGroupDescription: 'control-plane test group', attributePayload: { attributes: { floor: '3' } } };
    const created = await s.iot.send(new CreateThingGroupCommand({ thingGroupName: group, thingGroupProperties: props }));
    expect(created).toMatchObject({ thingGroupName: group, thingGroupArn: arn('thinggroup', group) });
    expect((await s.iot.send(new CreateThingGroupCommand({ thingGroupName: group, thingGroupProperties: props }))).thingGroupId).toBe(created.thingGroupId);
    await expect(s.iot.send(new CreateThingGroupCommand({ thingGroupName: group, thingGroupProperties: { thingGroupDescription: 'another' } }))).rejects.toBeInstanceOf(
      ResourceAlreadyExistsException,
    );

    const d = await s.iot.send(new DescribeThingGroupCommand({ thingGroupName: group }));
    expect(d).toMatchObject({ thingGroupName: group, thingGroupId: created.thingGroupId, thingGroupArn: arn('thinggroup', group), thingGroupProperties: props });
    expect(d.thingGroupMetadata?.creationDate).toBeInstanceOf(Date);
    // Each fleet.yaml group is a static thing group.
    const alpha = await s.iot.send(new DescribeThingGroupCommand({ thingGroupName: 'Alpha' }));
    expect(alpha.thingGroupArn).toBe(arn('thinggroup', 'Alpha'));
    await expect(s.iot.send(new DescribeThingGroupCommand({ thingGroupName: 'NoSuchGroup' }))).rejects.toBeInstanceOf(ResourceNotFoundException);

    const { items } = await allPages(async (nextToken) => {
      const r = await s.iot.send(new ListThingGroupsCommand({ maxResults: 1, nextToken }));
      return { items: r.thingGroups, nextToken: r.nextToken };
    }, 1);
    expect(items).toEqual([
      { groupName: 'Alpha', groupArn: arn('thinggroup', 'Alpha') },
      { groupName: 'Beta', groupArn: arn('thinggroup', 'Beta') },
      { groupName: group, groupArn: arn('thinggroup', group) },
    ]);
    expect((await s.iot.send(new ListThingGroupsCommand({ namePrefixFilter: 'cp-' }))).thingGroups?.map((g) => g.groupName)).toEqual([group]);

    await s.iot.send(new AddThingToThingGroupCommand({ thingGroupName: group, thingName: 'Beta-00001' }));
    await s.iot.send(new AddThingToThingGroupCommand({ thingGroupArn: arn('thinggroup', group), thingArn: arn('thing', 'Beta-00002') }));
    expect((await s.iot.send(new ListThingsInThingGroupCommand({ thingGroupName: group }))).things).toEqual(['Beta-00001', 'Beta-00002']);
    await s.iot.send(new RemoveThingFromThingGroupCommand({ thingGroupArn: arn('thinggroup', group), thingArn: arn('thing', 'Beta-00002') }));
    expect((await s.iot.send(new ListThingsInThingGroupCommand({ thingGroupName: group }))).things).toEqual(['Beta-00001']);
    await expect(s.iot.send(new AddThingToThingGroupCommand({ thingGroupName: group, thingName: 'No-Such-Thing' }))).rejects.toBeInstanceOf(ResourceNotFoundException);

    const page = await s.iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'Alpha', maxResults: 4 }));
    expect(page.things).toEqual(['Alpha-00001', 'Alpha-00002', 'Alpha-00003', 'Alpha-00004']);
    const rest = await s.iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'Alpha', maxResults: 4, nextToken: page.nextToken }));
    expect(rest.things).toEqual(['Alpha-00005', 'Alpha-00006']);
    expect(rest.nextToken).toBeUndefined();
  });

  it('DescribeEndpoint gives the local MQTT host for iot:Data-ATS and refuses an unknown endpoint type', async () => {
    const mqttHost = new URL(s.stack.cloud.mqttUrl).hostname;
    expect((await s.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }))).endpointAddress).toBe(mqttHost);
    expect((await s.iot.send(new DescribeEndpointCommand({}))).endpointAddress).toBe(mqttHost);
    expect((await s.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Jobs' }))).endpointAddress).toBe(new URL(s.http).hostname);
    await expect(s.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Nonsense' }))).rejects.toBeInstanceOf(InvalidRequestException);
  });
});

describe('jobs through @aws-sdk/client-iot', () => {
  it('CreateJob on a thing and a group, inline document: DescribeJob (createdAt in epoch seconds, counters), GetJobDocument, execution lists', async () => {
    const jobId = 'cp-mixed';
    const before = s.stack.cloud.clock.now() / 1000;
    const created = await s.iot.send(
      new CreateJobCommand({ jobId, targets: [arn('thing', 'Alpha-00001'), arn('thinggroup', 'Beta')], document: DOC, description: 'mixed targets', targetSelection: 'SNAPSHOT' }),
    );
    const after = s.stack.cloud.clock.now() / 1000;
    expect(created).toMatchObject({ jobArn: arn('job', jobId), jobId, description: 'mixed targets' });

    const { job } = await s.iot.send(new DescribeJobCommand({ jobId }));
    expect(job).toMatchObject({
      jobArn: arn('job', jobId),
      jobId,
      status: 'IN_PROGRESS',
      targetSelection: 'SNAPSHOT',
      targets: [arn('thing', 'Alpha-00001'), arn('thinggroup', 'Beta')],
      description: 'mixed targets',
      forceCanceled: false,
      jobProcessDetails: {
        numberOfQueuedThings: 5,
        numberOfInProgressThings: 0,
        numberOfSucceededThings: 0,
        numberOfFailedThings: 0,
        numberOfRejectedThings: 0,
        numberOfTimedOutThings: 0,
        numberOfRemovedThings: 0,
        numberOfCanceledThings: 0,
      },
    });
    expect(job?.createdAt).toBeInstanceOf(Date);
    // §10 #31: on the wire createdAt is a JSON number of epoch seconds (not ms, not an ISO string).
    const raw = await rawGet(`${s.http}/jobs/${jobId}`);
    const rawJob = raw.body.job as Record<string, unknown>;
    expect(typeof rawJob.createdAt).toBe('number');
    expect(rawJob.createdAt as number).toBeGreaterThanOrEqual(Math.floor(before));
    expect(rawJob.createdAt as number).toBeLessThanOrEqual(Math.ceil(after));
    expect(typeof rawJob.lastUpdatedAt).toBe('number');

    expect((await s.iot.send(new GetJobDocumentCommand({ jobId }))).document).toBe(DOC);

    const forJob = await s.iot.send(new ListJobExecutionsForJobCommand({ jobId }));
    expect(forJob.executionSummaries?.map((e) => e.thingArn).sort()).toEqual(['Alpha-00001', 'Beta-00001', 'Beta-00002', 'Beta-00003', 'Beta-00004'].map((t) => arn('thing', t)));
    for (const e of forJob.executionSummaries ?? []) expect(e.jobExecutionSummary).toMatchObject({ status: 'QUEUED', executionNumber: 1, retryAttempt: 0 });

    const exec = await s.iot.send(new DescribeJobExecutionCommand({ jobId, thingName: 'Beta-00003' }));
    expect(exec.execution).toMatchObject({ jobId, thingArn: arn('thing', 'Beta-00003'), status: 'QUEUED', executionNumber: 1, versionNumber: 1, forceCanceled: false });
    expect(exec.execution?.queuedAt).toBeInstanceOf(Date);
    expect(exec.execution?.startedAt).toBeUndefined();
    await expect(s.iot.send(new DescribeJobExecutionCommand({ jobId, thingName: 'Alpha-00002' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('follows a device through its execution: DescribeJobExecution (versionNumber, statusDetails.detailsMap), ListJobExecutionsForThing, counters', async () => {
    const jobId = 'cp-mixed';
    const device = await s.device('Alpha-00001');
    const started = await device.update(jobId, 'IN_PROGRESS', { statusDetails: { step: 'download' } });
    expect(started.accepted).toBe(true);
    let exec = (await s.iot.send(new DescribeJobExecutionCommand({ jobId, thingName: 'Alpha-00001' }))).execution;
    expect(exec).toMatchObject({ status: 'IN_PROGRESS', versionNumber: 2, statusDetails: { detailsMap: { step: 'download' } } });
    expect(exec?.startedAt).toBeInstanceOf(Date);
    expect((await s.iot.send(new DescribeJobCommand({ jobId }))).job?.jobProcessDetails).toMatchObject({ numberOfQueuedThings: 4, numberOfInProgressThings: 1 });

    expect((await device.update(jobId, 'SUCCEEDED', { statusDetails: { progress: '100%' }, expectedVersion: 2 })).accepted).toBe(true);
    exec = (await s.iot.send(new DescribeJobExecutionCommand({ jobId, thingName: 'Alpha-00001', executionNumber: 1 }))).execution;
    expect(exec).toMatchObject({ status: 'SUCCEEDED', versionNumber: 3, executionNumber: 1, statusDetails: { detailsMap: { progress: '100%' } } });
    expect((await s.iot.send(new DescribeJobCommand({ jobId }))).job).toMatchObject({ status: 'IN_PROGRESS', jobProcessDetails: { numberOfQueuedThings: 4, numberOfInProgressThings: 0, numberOfSucceededThings: 1 } });

    const forThing = await s.iot.send(new ListJobExecutionsForThingCommand({ thingName: 'Alpha-00001' }));
    expect(forThing.executionSummaries).toEqual([expect.objectContaining({ jobId, jobExecutionSummary: expect.objectContaining({ status: 'SUCCEEDED', executionNumber: 1 }) })]);
    expect((await s.iot.send(new ListJobExecutionsForThingCommand({ thingName: 'Alpha-00001', status: 'QUEUED' }))).executionSummaries).toEqual([]);
    const succeeded = await s.iot.send(new ListJobExecutionsForJobCommand({ jobId, status: 'SUCCEEDED' }));
    expect(succeeded.executionSummaries?.map((e) => e.thingArn)).toEqual([arn('thing', 'Alpha-00001')]);
  });

  it('CreateJob with documentSource as a local file path, CONTINUOUS, and a target ARN with empty region and account (§10 #30)', async () => {
    const file = join(dir, 'job.json');
    const text = JSON.stringify({ operation: 'customJob', otherInfo: 'someValue' });
    writeFileSync(file, text);
    const jobId = 'cp-source';
    await s.iot.send(new CreateJobCommand({ jobId, targets: ['arn:aws:iot:::thing/Alpha-00006'], documentSource: file, targetSelection: 'CONTINUOUS' }));
    const d = await s.iot.send(new DescribeJobCommand({ jobId }));
    expect(d.documentSource).toBe(file);
    expect(d.job).toMatchObject({ status: 'IN_PROGRESS', targetSelection: 'CONTINUOUS', targets: ['arn:aws:iot:::thing/Alpha-00006'], jobProcessDetails: { numberOfQueuedThings: 1 } });
    expect((await s.iot.send(new GetJobDocumentCommand({ jobId }))).document).toBe(text);
    const exec = await s.iot.send(new DescribeJobExecutionCommand({ jobId, thingName: 'Alpha-00006' }));
    expect(exec.execution).toMatchObject({ status: 'QUEUED', thingArn: arn('thing', 'Alpha-00006') });
    // The device receives the file's document as an object.
    const device = await s.device('Alpha-00006');
    const got = await device.describe(jobId);
    expect(got.json.execution).toMatchObject({ jobId, status: 'QUEUED', jobDocument: { operation: 'customJob', otherInfo: 'someValue' } });
  });

  it('accepts every CreateJob config field and echoes each in DescribeJob; a future startTime makes the job SCHEDULED without executions', async () => {
    const jobId = 'cp-configs';
    const now = s.stack.cloud.clock.now();
    const minute = (ms: number): string => new Date(Math.floor(ms / 60_000) * 60_000).toISOString().slice(0, 16);
    const configs = {
      presignedUrlConfig: { roleArn: 'arn:aws:iam::123456789012:role/acfleet-presign', expiresInSec: 600 },
      jobExecutionsRolloutConfig: { maximumPerMinute: 500, exponentialRate: { baseRatePerMinute: 50, incrementFactor: 2, rateIncreaseCriteria: { numberOfNotifiedThings: 10 } } },
      abortConfig: { criteriaList: [{ failureType: 'FAILED' as const, action: 'CANCEL' as const, thresholdPercentage: 25.5, minNumberOfExecutedThings: 2 }] },
      timeoutConfig: { inProgressTimeoutInMinutes: 120 },
      jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED' as const, numberOfRetries: 2 }, { failureType: 'TIMED_OUT' as const, numberOfRetries: 1 }] },
      schedulingConfig: {
        startTime: minute(now + 2 * 3600_000),
        endTime: minute(now + 4 * 3600_000),
        endBehavior: 'STOP_ROLLOUT' as const,
        maintenanceWindows: [{ startTime: 'cron(0 2 * * ? *)', durationInMinutes: 60 }],
      },
    };
    const created = await s.iot.send(
      new CreateJobCommand({
        jobId,
        targets: [arn('thinggroup', 'Alpha')],
        document: DOC,
        description: 'all the configs',
        targetSelection: 'SNAPSHOT',
        namespaceId: 'cpns',
        tags: [{ Key: 'team', Value: 'fleet' }],
        destinationPackageVersions: ['arn:aws:iot:us-east-1:123456789012:package/thermostat/version/1.0.0'],
        ...configs,
      }),
    );
    expect(created.jobId).toBe(jobId);
    const { job } = await s.iot.send(new DescribeJobCommand({ jobId }));
    expect(job).toMatchObject({
      status: 'SCHEDULED',
      description: 'all the configs',
      namespaceId: 'cpns',
      destinationPackageVersions: ['arn:aws:iot:us-east-1:123456789012:package/thermostat/version/1.0.0'],
      ...configs,
    });
    expect((await s.iot.send(new ListJobExecutionsForJobCommand({ jobId }))).executionSummaries).toEqual([]);
    await expect(s.iot.send(new DescribeJobExecutionCommand({ jobId, thingName: 'Alpha-00001' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('UpdateJob changes the description and configs; retries may only be lowered', async () => {
    const jobId = 'cp-update';
    await s.iot.send(
      new CreateJobCommand({
        jobId,
        targets: [arn('thing', 'Alpha-00005')],
        document: DOC,
        description: 'before',
        jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 3 }] },
      }),
    );
    const created = (await s.iot.send(new DescribeJobCommand({ jobId }))).job;
    expect(created?.targetSelection).toBe('SNAPSHOT');
    const update = {
      description: 'after',
      presignedUrlConfig: { roleArn: 'arn:aws:iam::123456789012:role/acfleet-presign', expiresInSec: 3600 },
      jobExecutionsRolloutConfig: { maximumPerMinute: 100 },
      abortConfig: { criteriaList: [{ failureType: 'ALL' as const, action: 'CANCEL' as const, thresholdPercentage: 50, minNumberOfExecutedThings: 1 }] },
      timeoutConfig: { inProgressTimeoutInMinutes: 30 },
      jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED' as const, numberOfRetries: 1 }] },
    };
    await s.iot.send(new UpdateJobCommand({ jobId, ...update }));
    const { job } = await s.iot.send(new DescribeJobCommand({ jobId }));
    expect(job).toMatchObject({ ...update, status: 'IN_PROGRESS', targets: [arn('thing', 'Alpha-00005')] });
    expect(job?.lastUpdatedAt?.getTime()).toBeGreaterThanOrEqual(created?.lastUpdatedAt?.getTime() ?? Infinity);
    expect((await s.iot.send(new GetJobDocumentCommand({ jobId }))).document).toBe(DOC);

    await expect(s.iot.send(new UpdateJobCommand({ jobId, jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 5 }] } }))).rejects.toBeInstanceOf(
      InvalidRequestException,
    );
    await expect(s.iot.send(new UpdateJobCommand({ jobId: 'no-such-job', description: 'x' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await s.iot.send(new DescribeJobCommand({ jobId }))).job?.jobExecutionsRetryConfig).toEqual(update.jobExecutionsRetryConfig);
  });

  it('ListJobs filters by status, targetSelection, thing group and namespace, and pages with maxResults/nextToken until exhausted (§10 #41)', async () => {
    const ids = async (input: ListJobsCommandInput): Promise<string[]> => ((await s.iot.send(new ListJobsCommand(input))).jobs ?? []).map((j) => j.jobId ?? '').sort();
    const all = await ids({ maxResults: 250 });
    expect(all).toEqual(['cp-configs', 'cp-mixed', 'cp-source', 'cp-update']);
    expect(await ids({ status: 'SCHEDULED' })).toEqual(['cp-configs']);
    expect(await ids({ status: 'IN_PROGRESS' })).toEqual(['cp-mixed', 'cp-source', 'cp-update']);
    expect(await ids({ targetSelection: 'CONTINUOUS' })).toEqual(['cp-source']);
    expect(await ids({ thingGroupName: 'Beta' })).toEqual(['cp-mixed']);
    expect(await ids({ thingGroupName: 'Alpha', status: 'SCHEDULED' })).toEqual(['cp-configs']);
    expect(await ids({ namespaceId: 'cpns' })).toEqual(['cp-configs']);

    const summary = (await s.iot.send(new ListJobsCommand({ thingGroupName: 'Beta' }))).jobs?.[0];
    expect(summary).toMatchObject({ jobArn: arn('job', 'cp-mixed'), jobId: 'cp-mixed', targetSelection: 'SNAPSHOT', status: 'IN_PROGRESS' });
    expect(summary?.createdAt).toBeInstanceOf(Date);
    const beta = await s.iot.send(new DescribeThingGroupCommand({ thingGroupName: 'Beta' }));
    expect(summary?.thingGroupId).toBe(beta.thingGroupId);
    expect(await ids({ thingGroupId: beta.thingGroupId })).toEqual(['cp-mixed']);

    for (const maxResults of [1, 3]) {
      const { items, pages } = await allPages(async (nextToken) => {
        const r = await s.iot.send(new ListJobsCommand({ maxResults, nextToken }));
        return { items: r.jobs, nextToken: r.nextToken };
      }, maxResults);
      expect(items.map((j) => j.jobId).sort()).toEqual(all);
      expect(pages).toBe(Math.ceil(all.length / maxResults));
    }
    // Exactly as many as asked for: no nextToken, nothing remains.
    expect((await s.iot.send(new ListJobsCommand({ maxResults: all.length }))).nextToken).toBeUndefined();
  });

  it('pages job executions for a job and for a thing', async () => {
    const { items, pages } = await allPages(async (nextToken) => {
      const r = await s.iot.send(new ListJobExecutionsForJobCommand({ jobId: 'cp-mixed', maxResults: 2, nextToken }));
      return { items: r.executionSummaries, nextToken: r.nextToken };
    }, 2);
    expect(pages).toBe(3);
    expect(new Set(items.map((e) => e.thingArn)).size).toBe(5);
    expect((await s.iot.send(new ListJobExecutionsForJobCommand({ jobId: 'cp-mixed', maxResults: 5 }))).nextToken).toBeUndefined();

    // Alpha-00005: cp-update; Alpha-00001: cp-mixed. Give Alpha-00005 a second job to page through.
    await s.iot.send(new CreateJobCommand({ jobId: 'cp-second', targets: [arn('thing', 'Alpha-00005')], document: DOC }));
    const thingPages = await allPages(async (nextToken) => {
      const r = await s.iot.send(new ListJobExecutionsForThingCommand({ thingName: 'Alpha-00005', maxResults: 1, nextToken }));
      return { items: r.executionSummaries, nextToken: r.nextToken };
    }, 1);
    expect(thingPages.items.map((e) => e.jobId).sort()).toEqual(['cp-second', 'cp-update']);
    expect(thingPages.pages).toBe(2);
    expect((await s.iot.send(new ListJobExecutionsForThingCommand({ thingName: 'Alpha-00005', jobId: 'cp-second' }))).executionSummaries?.map((e) => e.jobId)).toEqual(['cp-second']);
  });
});
