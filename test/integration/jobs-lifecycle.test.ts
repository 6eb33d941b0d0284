/**
 * Jobs over their whole life through @aws-sdk/client-iot, with the test playing the devices over
 * MQTT and an operator reading `$aws/events/…`: event configuration (§5), SNAPSHOT completion,
 * CONTINUOUS group following (§4.6), CancelJob (force or not), CancelJobExecution,
 * DeleteJobExecution and DeleteJob (spec §3.2, §10 #33–40).
 */
import {
  AddThingToThingGroupCommand,
  CancelJobCommand,
  CancelJobExecutionCommand,
  CreateJobCommand,
  CreateThingCommand,
  DeleteJobCommand,
  DeleteJobExecutionCommand,
  DeleteThingCommand,
  DescribeEventConfigurationsCommand,
  DescribeJobCommand,
  DescribeJobExecutionCommand,
  InvalidStateTransitionException,
  ListJobExecutionsForJobCommand,
  ListJobExecutionsForThingCommand,
  RemoveThingFromThingGroupCommand,
  ResourceNotFoundException,
  UpdateEventConfigurationsCommand,
  VersionConflictException,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, subscribeCodes } from '../helpers/mqtt.js';
import { startJobsStack, type JobsStack } from '../helpers/jobs-stack.js';
import type { Received } from '../helpers/played-jobs-device.js';

let s: JobsStack;
const ACCOUNT = '123456789012';
const arn = (kind: 'thing' | 'thinggroup' | 'job', name: string): string => `arn:aws:iot:us-east-1:${ACCOUNT}:${kind}/${name}`;
const DOC = JSON.stringify({ tempUnit: 'celsius', ledColor: 'green' });

beforeAll(async () => {
  s = await startJobsStack({ alpha: 6, beta: 4 });
});

afterAll(async () => {
  await s?.close();
});

const eventOn = (topic: string): Promise<Received> => s.events.waitFor((m) => m.topic === topic, 10_000, topic);
const execution = async (jobId: string, thingName: string, executionNumber?: number) =>
  (await s.iot.send(new DescribeJobExecutionCommand({ jobId, thingName, ...(executionNumber !== undefined ? { executionNumber } : {}) }))).execution;
const job = async (jobId: string) => (await s.iot.send(new DescribeJobCommand({ jobId }))).job;

describe('jobs events and SNAPSHOT completion', () => {
  it('publishes nothing while events are off (the default); UpdateEventConfigurations turns JOB and JOB_EXECUTION on', async () => {
    const initial = await s.iot.send(new DescribeEventConfigurationsCommand({}));
    expect(initial.eventConfigurations?.JOB?.Enabled).toBe(false);
    expect(initial.eventConfigurations?.JOB_EXECUTION?.Enabled).toBe(false);

    await s.iot.send(new CreateJobCommand({ jobId: 'ev-off', targets: [arn('thing', 'Alpha-00004')], document: DOC }));
    await s.iot.send(new CancelJobCommand({ jobId: 'ev-off', comment: 'quiet' }));

    await s.iot.send(new UpdateEventConfigurationsCommand({ eventConfigurations: { JOB: { Enabled: true }, JOB_EXECUTION: { Enabled: true } } }));
    const now = await s.iot.send(new DescribeEventConfigurationsCommand({}));
    expect(now.eventConfigurations?.JOB?.Enabled).toBe(true);
    expect(now.eventConfigurations?.JOB_EXECUTION?.Enabled).toBe(true);

    await s.iot.send(new CreateJobCommand({ jobId: 'ev-on', targets: [arn('thing', 'Alpha-00004')], document: DOC, description: 'evented' }));
    await s.iot.send(new CancelJobCommand({ jobId: 'ev-on', reasonCode: 'OPERATOR_STOP', comment: 'loud' }));
    const canceled = await eventOn('$aws/events/job/ev-on/canceled');
    // The same service connection published ev-off's events (had there been any) before these.
    expect(s.events.messages.filter((m) => m.topic.includes('/ev-off/'))).toEqual([]);

    expect(canceled.json).toMatchObject({
      eventType: 'JOB',
      operation: 'canceled',
      jobId: 'ev-on',
      status: 'CANCELED',
      targetSelection: 'SNAPSHOT',
      targets: [arn('thing', 'Alpha-00004')],
      description: 'evented',
      comment: 'loud',
    });
    expect(Number.isInteger(canceled.json.timestamp)).toBe(true);
    // Top-level timestamp in seconds, the job's own times in milliseconds (§5).
    expect(canceled.json.createdAt as number).toBeGreaterThan((canceled.json.timestamp as number) * 100);
    expect((await eventOn('$aws/events/job/ev-on/cancellation_in_progress')).json).toMatchObject({ status: 'CANCELLATION_IN_PROGRESS', jobId: 'ev-on' });
    expect((await eventOn('$aws/events/jobExecution/ev-on/canceled')).json).toMatchObject({
      eventType: 'JOB_EXECUTION',
      operation: 'canceled',
      jobId: 'ev-on',
      thingArn: arn('thing', 'Alpha-00004'),
      status: 'CANCELED',
    });
    // Operators only: a device may not read the events.
    const device = await s.device('Alpha-00004');
    expect(await subscribeCodes(device.client, ['$aws/events/job/#', '$aws/events/jobExecution/ev-on/+'])).toEqual([128, 128]);
  });

  it('completes a SNAPSHOT job once every execution is terminal: COMPLETED, completedAt, the completed event (§10 #33)', async () => {
    const jobId = 'snap';
    await s.iot.send(new CreateJobCommand({ jobId, targets: [arn('thing', 'Alpha-00002'), arn('thing', 'Alpha-00003')], document: DOC, description: 'snapshot' }));
    const a = await s.device('Alpha-00002');
    const b = await s.device('Alpha-00003');
    expect((await a.update(jobId, 'IN_PROGRESS')).accepted).toBe(true);
    expect((await a.update(jobId, 'SUCCEEDED', { statusDetails: { progress: '100%' } })).accepted).toBe(true);
    const succeeded = await eventOn(`$aws/events/jobExecution/${jobId}/succeeded`);
    expect(succeeded.json).toMatchObject({ eventType: 'JOB_EXECUTION', status: 'SUCCEEDED', thingArn: arn('thing', 'Alpha-00002'), statusDetails: { progress: '100%' } });
    // One execution still pending: not complete yet.
    expect(await job(jobId)).toMatchObject({ status: 'IN_PROGRESS', jobProcessDetails: { numberOfSucceededThings: 1, numberOfQueuedThings: 1 } });
    expect((await job(jobId))?.completedAt).toBeUndefined();

    expect((await b.update(jobId, 'IN_PROGRESS')).accepted).toBe(true);
    expect((await b.update(jobId, 'FAILED', { statusDetails: { reason: 'compressor stuck' } })).accepted).toBe(true);
    const completed = await eventOn(`$aws/events/job/${jobId}/completed`);
    expect(completed.json).toMatchObject({
      eventType: 'JOB',
      operation: 'completed',
      jobId,
      status: 'COMPLETED',
      targetSelection: 'SNAPSHOT',
      jobProcessDetails: { numberOfSucceededThings: 1, numberOfFailedThings: 1, numberOfCanceledThings: 0, numberOfRejectedThings: 0, numberOfRemovedThings: 0 },
    });
    expect(typeof completed.json.completedAt).toBe('number');
    expect((await eventOn(`$aws/events/jobExecution/${jobId}/failed`)).json).toMatchObject({ status: 'FAILED', statusDetails: { reason: 'compressor stuck' } });
    const done = await job(jobId);
    expect(done).toMatchObject({ status: 'COMPLETED', jobProcessDetails: { numberOfSucceededThings: 1, numberOfFailedThings: 1, numberOfQueuedThings: 0, numberOfInProgressThings: 0 } });
    expect(done?.completedAt).toBeInstanceOf(Date);
    // A finished job may be deleted without force.
    await s.iot.send(new DeleteJobCommand({ jobId }));
    await eventOn(`$aws/events/job/${jobId}/deleted`);
    await eventually(async () => ((await s.iot.send(new DescribeJobCommand({ jobId })).catch((e: unknown) => e)) instanceof ResourceNotFoundException ? true : undefined), 'the deleted job to be gone');
  });
});

describe('target selection (§4.6)', () => {
  it('CONTINUOUS: a thing joining a target group gets a QUEUED execution at once; one leaving loses its QUEUED one (REMOVED); the job never completes (§10 #34)', async () => {
    const jobId = 'cont';
    await s.iot.send(new CreateJobCommand({ jobId, targets: [arn('thinggroup', 'Beta')], document: DOC, targetSelection: 'CONTINUOUS' }));
    expect((await job(jobId))?.jobProcessDetails?.numberOfQueuedThings).toBe(4);
    // Every original member finishes: a CONTINUOUS job stays IN_PROGRESS.
    for (const t of ['Beta-00001', 'Beta-00002', 'Beta-00003', 'Beta-00004']) {
      const d = await s.device(t);
      expect((await d.update(jobId, 'SUCCEEDED')).accepted).toBe(true);
    }
    expect(await job(jobId)).toMatchObject({ status: 'IN_PROGRESS', jobProcessDetails: { numberOfSucceededThings: 4, numberOfQueuedThings: 0 } });
    expect(s.events.on(`$aws/events/job/${jobId}/completed`)).toEqual([]);

    // A joiner, with its device listening: notify-next announces the new execution.
    const joiner = await s.device('Alpha-00005');
    await s.iot.send(new AddThingToThingGroupCommand({ thingGroupName: 'Beta', thingName: 'Alpha-00005' }));
    const next = await joiner.waitFor((m) => m.topic.endsWith('/notify-next') && (m.json.execution as { jobId?: string } | undefined)?.jobId === jobId, 10_000, 'notify-next for cont');
    expect(next.json.execution).toMatchObject({ jobId, status: 'QUEUED', versionNumber: 1, executionNumber: 1, jobDocument: { tempUnit: 'celsius', ledColor: 'green' } });
    expect(await execution(jobId, 'Alpha-00005')).toMatchObject({ status: 'QUEUED', executionNumber: 1 });
    expect((await job(jobId))?.jobProcessDetails).toMatchObject({ numberOfQueuedThings: 1, numberOfSucceededThings: 4 });

    // It runs the job like the others.
    expect((await joiner.startNext()).json.execution).toMatchObject({ jobId, status: 'IN_PROGRESS' });
    expect((await joiner.update(jobId, 'SUCCEEDED')).accepted).toBe(true);
    expect(await job(jobId)).toMatchObject({ status: 'IN_PROGRESS', jobProcessDetails: { numberOfSucceededThings: 5 } });

    // A thing that joins and leaves before starting: its QUEUED execution is REMOVED.
    const leaver = await s.device('Alpha-00006');
    await s.iot.send(new AddThingToThingGroupCommand({ thingGroupName: 'Beta', thingName: 'Alpha-00006' }));
    expect(await execution(jobId, 'Alpha-00006')).toMatchObject({ status: 'QUEUED' });
    await s.iot.send(new RemoveThingFromThingGroupCommand({ thingGroupName: 'Beta', thingName: 'Alpha-00006' }));
    expect(await execution(jobId, 'Alpha-00006')).toMatchObject({ status: 'REMOVED' });
    expect((await eventOn(`$aws/events/jobExecution/${jobId}/removed`)).json).toMatchObject({ status: 'REMOVED', thingArn: arn('thing', 'Alpha-00006') });
    expect((await job(jobId))?.jobProcessDetails).toMatchObject({ numberOfRemovedThings: 1, numberOfQueuedThings: 0 });
    const rejected = await leaver.update(jobId, 'IN_PROGRESS');
    expect(rejected).toMatchObject({ accepted: false, json: { code: 'InvalidStateTransition' } });

    // Leaving after finishing changes nothing.
    await s.iot.send(new RemoveThingFromThingGroupCommand({ thingGroupName: 'Beta', thingName: 'Alpha-00005' }));
    expect(await execution(jobId, 'Alpha-00005')).toMatchObject({ status: 'SUCCEEDED' });

    // A thing created and added later also gets it; deleting it removes its pending execution.
    await s.iot.send(new CreateThingCommand({ thingName: 'late-thing' }));
    await s.iot.send(new AddThingToThingGroupCommand({ thingGroupName: 'Beta', thingName: 'late-thing' }));
    expect(await execution(jobId, 'late-thing')).toMatchObject({ status: 'QUEUED' });
    await s.iot.send(new DeleteThingCommand({ thingName: 'late-thing' }));
    await eventually(async () => ((await s.iot.send(new ListJobExecutionsForJobCommand({ jobId, status: 'QUEUED' }))).executionSummaries?.length === 0 ? true : undefined), 'late-thing to lose its execution');
    expect((await job(jobId))?.status).toBe('IN_PROGRESS');
  });

  it('SNAPSHOT: a thing added to the target group later gets no execution (§10 #35)', async () => {
    const jobId = 'snap-group';
    await s.iot.send(new CreateJobCommand({ jobId, targets: [arn('thinggroup', 'Beta')], document: DOC, targetSelection: 'SNAPSHOT' }));
    await s.iot.send(new AddThingToThingGroupCommand({ thingGroupName: 'Beta', thingName: 'Alpha-00001' }));
    await expect(execution(jobId, 'Alpha-00001')).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await s.iot.send(new ListJobExecutionsForThingCommand({ thingName: 'Alpha-00001', jobId }))).executionSummaries).toEqual([]);
    // And a member leaving keeps its execution.
    await s.iot.send(new RemoveThingFromThingGroupCommand({ thingGroupName: 'Beta', thingName: 'Beta-00004' }));
    expect(await execution(jobId, 'Beta-00004')).toMatchObject({ status: 'QUEUED' });
    expect((await job(jobId))?.jobProcessDetails?.numberOfQueuedThings).toBe(4);
    // Leave the groups as they were.
    await s.iot.send(new RemoveThingFromThingGroupCommand({ thingGroupName: 'Beta', thingName: 'Alpha-00001' }));
    await s.iot.send(new AddThingToThingGroupCommand({ thingGroupName: 'Beta', thingName: 'Beta-00004' }));
    await s.iot.send(new CancelJobCommand({ jobId }));
  });
});

describe('cancel and delete', () => {
  it('CancelJob without force: job CANCELED with reasonCode and comment, QUEUED → CANCELED, IN_PROGRESS still completable (§10 #36)', async () => {
    const jobId = 'cancel-soft';
    await s.iot.send(new CreateJobCommand({ jobId, targets: [arn('thing', 'Alpha-00002'), arn('thing', 'Alpha-00003')], document: DOC, description: 'to cancel' }));
    const running = await s.device('Alpha-00002');
    const waiting = await s.device('Alpha-00003');
    expect((await running.update(jobId, 'IN_PROGRESS')).accepted).toBe(true);

    const r = await s.iot.send(new CancelJobCommand({ jobId, reasonCode: 'NOT_NEEDED_1', comment: 'the unit change moved to next week' }));
    expect(r).toMatchObject({ jobId, jobArn: arn('job', jobId), description: 'to cancel' });
    expect(await job(jobId)).toMatchObject({ status: 'CANCELED', forceCanceled: false, reasonCode: 'NOT_NEEDED_1', comment: 'the unit change moved to next week' });
    expect(await execution(jobId, 'Alpha-00003')).toMatchObject({ status: 'CANCELED' });
    expect(await execution(jobId, 'Alpha-00002')).toMatchObject({ status: 'IN_PROGRESS' });
    expect((await eventOn(`$aws/events/job/${jobId}/canceled`)).json).toMatchObject({ comment: 'the unit change moved to next week' });

    expect((await waiting.update(jobId, 'IN_PROGRESS')).json).toMatchObject({ code: 'InvalidStateTransition', executionState: { status: 'CANCELED' } });
    expect((await running.update(jobId, 'SUCCEEDED')).accepted).toBe(true);
    expect(await execution(jobId, 'Alpha-00002')).toMatchObject({ status: 'SUCCEEDED' });
    expect(await job(jobId)).toMatchObject({ status: 'CANCELED', jobProcessDetails: { numberOfSucceededThings: 1, numberOfCanceledThings: 1 } });
  });

  it('CancelJob with force: IN_PROGRESS → CANCELED (forceCanceled); the device’s next update is InvalidStateTransition (§10 #37)', async () => {
    const jobId = 'cancel-force';
    await s.iot.send(new CreateJobCommand({ jobId, targets: [arn('thing', 'Alpha-00002')], document: DOC }));
    const device = await s.device('Alpha-00002');
    expect((await device.update(jobId, 'IN_PROGRESS', { statusDetails: { step: 'flashing' } })).accepted).toBe(true);
    await s.iot.send(new CancelJobCommand({ jobId, force: true, reasonCode: 'BAD_FIRMWARE' }));
    expect(await job(jobId)).toMatchObject({ status: 'CANCELED', forceCanceled: true, reasonCode: 'BAD_FIRMWARE' });
    expect(await execution(jobId, 'Alpha-00002')).toMatchObject({ status: 'CANCELED', forceCanceled: true });
    const next = await device.update(jobId, 'SUCCEEDED');
    expect(next).toMatchObject({ accepted: false, json: { code: 'InvalidStateTransition', executionState: { status: 'CANCELED' } } });
  });

  it('CancelJobExecution: QUEUED freely, IN_PROGRESS only with force (#38), stale expectedVersion → VersionConflict, terminal → InvalidStateTransition', async () => {
    const jobId = 'cje';
    await s.iot.send(new CreateJobCommand({ jobId, targets: [arn('thing', 'Beta-00001'), arn('thing', 'Beta-00002'), arn('thing', 'Beta-00003')], document: DOC }));
    await s.iot.send(new CancelJobExecutionCommand({ jobId, thingName: 'Beta-00001', statusDetails: { why: 'offline-for-repair' } }));
    expect(await execution(jobId, 'Beta-00001')).toMatchObject({ status: 'CANCELED', statusDetails: { detailsMap: { why: 'offline-for-repair' } } });

    const d2 = await s.device('Beta-00002');
    expect((await d2.update(jobId, 'IN_PROGRESS')).accepted).toBe(true);
    await expect(s.iot.send(new CancelJobExecutionCommand({ jobId, thingName: 'Beta-00002' }))).rejects.toBeInstanceOf(InvalidStateTransitionException);
    await expect(s.iot.send(new CancelJobExecutionCommand({ jobId, thingName: 'Beta-00002', force: true, expectedVersion: 1 }))).rejects.toBeInstanceOf(VersionConflictException);
    expect(await execution(jobId, 'Beta-00002')).toMatchObject({ status: 'IN_PROGRESS', versionNumber: 2 });
    await s.iot.send(new CancelJobExecutionCommand({ jobId, thingName: 'Beta-00002', force: true, expectedVersion: 2 }));
    expect(await execution(jobId, 'Beta-00002')).toMatchObject({ status: 'CANCELED', forceCanceled: true });
    expect((await d2.update(jobId, 'SUCCEEDED')).json.code).toBe('InvalidStateTransition');

    const d3 = await s.device('Beta-00003');
    expect((await d3.update(jobId, 'SUCCEEDED')).accepted).toBe(true);
    await expect(s.iot.send(new CancelJobExecutionCommand({ jobId, thingName: 'Beta-00003', force: true }))).rejects.toBeInstanceOf(InvalidStateTransitionException);
    await expect(s.iot.send(new CancelJobExecutionCommand({ jobId, thingName: 'Beta-00004' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(await job(jobId)).toMatchObject({ status: 'COMPLETED', jobProcessDetails: { numberOfCanceledThings: 2, numberOfSucceededThings: 1 } });
  });

  it('DeleteJobExecution: wrong executionNumber → 404 (#40), pending only with force, then gone with a deleted event', async () => {
    const jobId = 'dje';
    await s.iot.send(new CreateJobCommand({ jobId, targets: [arn('thing', 'Beta-00003'), arn('thing', 'Beta-00004')], document: DOC, targetSelection: 'CONTINUOUS' }));
    const d3 = await s.device('Beta-00003');
    expect((await d3.update(jobId, 'SUCCEEDED')).accepted).toBe(true);
    await expect(s.iot.send(new DeleteJobExecutionCommand({ jobId, thingName: 'Beta-00003', executionNumber: 2 }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await s.iot.send(new DeleteJobExecutionCommand({ jobId, thingName: 'Beta-00003', executionNumber: 1 }));
    await expect(execution(jobId, 'Beta-00003')).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await eventOn(`$aws/events/jobExecution/${jobId}/deleted`)).json).toMatchObject({ eventType: 'JOB_EXECUTION', jobId, thingArn: arn('thing', 'Beta-00003') });

    await expect(s.iot.send(new DeleteJobExecutionCommand({ jobId, thingName: 'Beta-00004', executionNumber: 1 }))).rejects.toBeInstanceOf(InvalidStateTransitionException);
    expect(await execution(jobId, 'Beta-00004')).toMatchObject({ status: 'QUEUED' });
    await s.iot.send(new DeleteJobExecutionCommand({ jobId, thingName: 'Beta-00004', executionNumber: 1, force: true }));
    expect((await s.iot.send(new ListJobExecutionsForJobCommand({ jobId }))).executionSummaries).toEqual([]);
    const d4 = await s.device('Beta-00004');
    expect((await d4.describe(jobId)).json.code).toBe('ResourceNotFound');
  });

  it('DeleteJob: IN_PROGRESS without force → 409 (#39); with force → executions gone, then 404; the id is reusable', async () => {
    const jobId = 'del';
    await s.iot.send(new CreateJobCommand({ jobId, targets: [arn('thing', 'Alpha-00001')], document: DOC }));
    const device = await s.device('Alpha-00001');
    expect((await device.update(jobId, 'IN_PROGRESS')).accepted).toBe(true);
    await expect(s.iot.send(new DeleteJobCommand({ jobId }))).rejects.toBeInstanceOf(InvalidStateTransitionException);
    expect((await job(jobId))?.status).toBe('IN_PROGRESS');

    await s.iot.send(new DeleteJobCommand({ jobId, force: true }));
    await eventually(async () => ((await s.iot.send(new DescribeJobCommand({ jobId })).catch((e: unknown) => e)) instanceof ResourceNotFoundException ? true : undefined), 'the job to be gone');
    expect((await eventOn(`$aws/events/job/${jobId}/deletion_in_progress`)).json).toMatchObject({ status: 'DELETION_IN_PROGRESS' });
    expect((await eventOn(`$aws/events/job/${jobId}/deleted`)).json).toMatchObject({ status: 'DELETED', jobId });
    await expect(execution(jobId, 'Alpha-00001')).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await device.update(jobId, 'SUCCEEDED')).json.code).toBe('ResourceNotFound');

    await s.iot.send(new CreateJobCommand({ jobId, targets: [arn('thing', 'Alpha-00001')], document: DOC, description: 'second life' }));
    expect(await job(jobId)).toMatchObject({ status: 'IN_PROGRESS', description: 'second life', jobProcessDetails: { numberOfQueuedThings: 1, numberOfInProgressThings: 0 } });
    expect(await execution(jobId, 'Alpha-00001')).toMatchObject({ status: 'QUEUED', versionNumber: 1 });
  });
});
