/**
 * Bad input to the jobs and registry control plane (issue 4 §8, spec §3.1, §3.6, §4.7, §10 #27,
 * #28, #32, #51): each gets AWS's status, `x-amzn-ErrorType` and message, the SDK throws the named
 * exception, and afterwards the service still serves with every earlier job intact.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancelJobExecutionCommand,
  CreateJobCommand,
  DescribeJobCommand,
  DescribeJobExecutionCommand,
  InvalidRequestException,
  InvalidStateTransitionException,
  type IoTServiceException,
  ListJobExecutionsForJobCommand,
  ListJobsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobsStack, type JobsStack } from '../helpers/jobs-stack.js';

let s: JobsStack;
const dir = mkdtempSync(join(tmpdir(), 'acfleet-jobs-bad-'));
const ACCOUNT = '123456789012';
const arn = (kind: 'thing' | 'thinggroup' | 'job', name: string): string => `arn:aws:iot:us-east-1:${ACCOUNT}:${kind}/${name}`;
const DOC = JSON.stringify({ tempUnit: 'celsius', ledColor: 'green' });

interface RawResponse {
  status: number;
  type: string | null;
  requestId: string | null;
  body: Record<string, unknown>;
}

/** A control-plane request as any HTTP client would send it: unsigned (→ service `iot`), body as given. */
async function raw(method: string, path: string, body?: string | object): Promise<RawResponse> {
  const res = await fetch(`${s.http}${path}`, { method, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('x-amzn-errortype'), requestId: res.headers.get('x-amzn-requestid'), body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

function expectAwsError(r: RawResponse, status: number, type: string, message?: RegExp | string): void {
  expect({ status: r.status, type: r.type }).toEqual({ status, type });
  expect(typeof r.body.message).toBe('string');
  expect(r.requestId).toMatch(/\S/);
  if (message !== undefined) expect(r.body.message).toMatch(message);
}

/** The SDK's exception for `p`, checked for its class, HTTP status and message. */
async function sdkError<T extends IoTServiceException>(p: Promise<unknown>, cls: new (...args: never[]) => T, status: number): Promise<T> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(cls);
  const err = e as T;
  expect(err.$metadata.httpStatusCode).toBe(status);
  expect(err.message).not.toBe('');
  return err;
}

let baseline: { job: unknown; executions: unknown };

beforeAll(async () => {
  s = await startJobsStack({ alpha: 3, beta: 2 });
  // Earlier work that bad input must not disturb: a job with one execution in progress.
  await s.iot.send(new CreateJobCommand({ jobId: 'keep', targets: [arn('thinggroup', 'Alpha')], document: DOC, description: 'must survive' }));
  const d = await s.device('Alpha-00001');
  const started = await d.update('keep', 'IN_PROGRESS', { statusDetails: { step: 'one' } });
  if (!started.accepted) throw new Error(`could not start keep: ${JSON.stringify(started.json)}`);
  baseline = await snapshot();
});

afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function snapshot(): Promise<typeof baseline> {
  return {
    job: (await raw('GET', '/jobs/keep')).body,
    executions: (await s.iot.send(new ListJobExecutionsForJobCommand({ jobId: 'keep' }))).executionSummaries,
  };
}

describe('bad input gets AWS errors', () => {
  it('a duplicate job id → 409 ResourceAlreadyExistsException "Job <id> already exists." with resourceId and resourceArn (§10 #27)', async () => {
    const r = await raw('PUT', '/jobs/keep', { targets: [arn('thing', 'Beta-00001')], document: DOC });
    expectAwsError(r, 409, 'ResourceAlreadyExistsException', /^Job keep already exists\.$/);
    expect(r.body).toMatchObject({ resourceId: 'keep', resourceArn: arn('job', 'keep') });
    const e = await sdkError(s.iot.send(new CreateJobCommand({ jobId: 'keep', targets: [arn('thing', 'Beta-00001')], document: DOC })), ResourceAlreadyExistsException, 409);
    expect(e.message).toBe('Job keep already exists.');
    expect(e.resourceId).toBe('keep');
    expect(e.resourceArn).toBe(arn('job', 'keep'));
  });

  it('CreateJob without document, documentSource or jobTemplateArn → 400 InvalidRequestException (§10 #28)', async () => {
    expectAwsError(await raw('PUT', '/jobs/nodoc', { targets: [arn('thing', 'Beta-00001')] }), 400, 'InvalidRequestException');
    await sdkError(s.iot.send(new CreateJobCommand({ jobId: 'nodoc', targets: [arn('thing', 'Beta-00001')] })), InvalidRequestException, 400);
    // Two sources at once is as wrong as none.
    expectAwsError(await raw('PUT', '/jobs/nodoc', { targets: [arn('thing', 'Beta-00001')], document: DOC, documentSource: join(dir, 'x.json') }), 400, 'InvalidRequestException');
  });

  it('malformed JSON bodies → 400 InvalidRequestException on every kind of route', async () => {
    expectAwsError(await raw('PUT', '/jobs/broken', '{"targets": ["arn:aws:iot:us-east-1:123456789012:thing/Beta-00001"], "document": '), 400, 'InvalidRequestException');
    expectAwsError(await raw('PUT', '/jobs/broken', '[1, 2, 3]'), 400, 'InvalidRequestException');
    expectAwsError(await raw('PATCH', '/jobs/keep', 'description=nope'), 400, 'InvalidRequestException');
    expectAwsError(await raw('PUT', '/jobs/keep/cancel', '{'), 400, 'InvalidRequestException');
    expectAwsError(await raw('PUT', '/things/Alpha-00002/jobs/keep/cancel', '{"expectedVersion":'), 400, 'InvalidRequestException');
    expectAwsError(await raw('POST', '/things/new-thing', '{"attributePayload"'), 400, 'InvalidRequestException');
    expectAwsError(await raw('PUT', '/thing-groups/addThingToThingGroup', 'not json'), 400, 'InvalidRequestException');
    expectAwsError(await raw('PATCH', '/event-configurations', '{"eventConfigurations": {"JOB": '), 400, 'InvalidRequestException');
  });

  it('members of the wrong type or out of range → 400 InvalidRequestException naming the member (§4.7, §10 #51)', async () => {
    const base = { targets: [arn('thing', 'Beta-00001')], document: DOC };
    const cases: [string, object, RegExp][] = [
      ['targets as a string', { ...base, targets: arn('thing', 'Beta-00001') }, /targets/],
      ['an empty target list', { ...base, targets: [] }, /targets/],
      ['a target that is no ARN', { ...base, targets: ['Beta-00001'] }, /targets/],
      ['document as an object', { ...base, document: { tempUnit: 'celsius' } }, /document/],
      ['a document that is not JSON', { ...base, document: 'tempUnit=celsius' }, /document/],
      ['an unknown targetSelection', { ...base, targetSelection: 'SOMETIMES' }, /targetSelection/],
      ['a numeric string where a number belongs', { ...base, timeoutConfig: { inProgressTimeoutInMinutes: '10' } }, /inProgressTimeoutInMinutes/],
      ['inProgressTimeoutInMinutes 10081', { ...base, timeoutConfig: { inProgressTimeoutInMinutes: 10081 } }, /inProgressTimeoutInMinutes/],
      ['maximumPerMinute 1001', { ...base, jobExecutionsRolloutConfig: { maximumPerMinute: 1001 } }, /maximumPerMinute/],
      ['numberOfRetries 11', { ...base, jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 11 }] } }, /numberOfRetries/],
      ['description as a number', { ...base, description: 42 }, /description/],
    ];
    for (const [what, body, member] of cases) {
      const r = await raw('PUT', '/jobs/typed', body);
      expect({ what, status: r.status, type: r.type }).toEqual({ what, status: 400, type: 'InvalidRequestException' });
      expect(r.body.message, what).toMatch(member);
    }
    expectAwsError(await raw('PUT', `/jobs/${'x'.repeat(65)}`, base), 400, 'InvalidRequestException');
    expectAwsError(await raw('PUT', '/jobs/bad.id', base), 400, 'InvalidRequestException');
    expectAwsError(await raw('POST', '/things/typed-thing', { attributePayload: { attributes: { floor: 3 } } }), 400, 'InvalidRequestException');
    expectAwsError(await raw('PUT', '/thing-groups/addThingToThingGroup', { thingGroupName: 'Beta', thingName: 7 }), 400, 'InvalidRequestException');
    expectAwsError(await raw('PATCH', '/event-configurations', { eventConfigurations: { JOB: { Enabled: 'yes' } } }), 400, 'InvalidRequestException');
    expectAwsError(await raw('GET', '/jobs?maxResults=0'), 400, 'InvalidRequestException');
    expectAwsError(await raw('GET', '/jobs?maxResults=251'), 400, 'InvalidRequestException');
    expectAwsError(await raw('GET', '/jobs?nextToken=garbage'), 400, 'InvalidRequestException');
    expectAwsError(await raw('GET', '/jobs?status=HALF_DONE'), 400, 'InvalidRequestException');
    expectAwsError(await raw('PUT', '/jobs/keep/cancel?force=maybe', {}), 400, 'InvalidRequestException');
    // Through the SDK too: the exception class, not a generic error.
    await sdkError(s.iot.send(new CreateJobCommand({ jobId: 'typed', targets: [arn('thing', 'Beta-00001')], document: DOC, timeoutConfig: { inProgressTimeoutInMinutes: 10081 } })), InvalidRequestException, 400);
    await expect(s.iot.send(new DescribeJobCommand({ jobId: 'typed' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('an oversized document (> 32 KB), inline or from documentSource → 400 InvalidRequestException', async () => {
    const big = JSON.stringify({ tempUnit: 'celsius', padding: 'x'.repeat(33 * 1024) });
    expectAwsError(await raw('PUT', '/jobs/big', { targets: [arn('thing', 'Beta-00001')], document: big }), 400, 'InvalidRequestException');
    await sdkError(s.iot.send(new CreateJobCommand({ jobId: 'big', targets: [arn('thing', 'Beta-00001')], document: big })), InvalidRequestException, 400);
    const file = join(dir, 'big.json');
    writeFileSync(file, big);
    await sdkError(s.iot.send(new CreateJobCommand({ jobId: 'big', targets: [arn('thing', 'Beta-00001')], documentSource: file })), InvalidRequestException, 400);
    await expect(s.iot.send(new DescribeJobCommand({ jobId: 'big' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    // Exactly at the limit is fine.
    const atLimit = JSON.stringify({ padding: '' });
    const fits = JSON.stringify({ padding: 'y'.repeat(32 * 1024 - atLimit.length) });
    expect(Buffer.byteLength(fits)).toBe(32 * 1024);
    await s.iot.send(new CreateJobCommand({ jobId: 'fits', targets: [arn('thing', 'Beta-00002')], document: fits }));
    await s.iot.send(new DescribeJobCommand({ jobId: 'fits' }));
  });

  it('unknown jobs, things and groups → 404 ResourceNotFoundException; a job with an unknown target is not created', async () => {
    for (const [method, path, body] of [
      ['GET', '/jobs/ghost', undefined],
      ['GET', '/jobs/ghost/job-document', undefined],
      ['PATCH', '/jobs/ghost', { description: 'x' }],
      ['PUT', '/jobs/ghost/cancel', {}],
      ['DELETE', '/jobs/ghost', undefined],
      ['GET', '/jobs/ghost/things', undefined],
      ['GET', '/things/Alpha-00001/jobs/ghost', undefined],
      ['PUT', '/things/Alpha-00001/jobs/ghost/cancel', {}],
      ['DELETE', '/things/Alpha-00001/jobs/ghost/executionNumber/1', undefined],
      ['GET', '/things/Ghost-Thing', undefined],
      ['GET', '/thing-groups/GhostGroup', undefined],
      ['GET', '/thing-groups/GhostGroup/things', undefined],
    ] as const) {
      const r = await raw(method, path, body);
      expect({ method, path, status: r.status, type: r.type }).toEqual({ method, path, status: 404, type: 'ResourceNotFoundException' });
    }
    await sdkError(s.iot.send(new DescribeJobExecutionCommand({ jobId: 'keep', thingName: 'Ghost-Thing' })), ResourceNotFoundException, 404);
    expectAwsError(await raw('PUT', '/thing-groups/addThingToThingGroup', { thingGroupName: 'GhostGroup', thingName: 'Alpha-00001' }), 404, 'ResourceNotFoundException');
    expectAwsError(await raw('PUT', '/thing-groups/addThingToThingGroup', { thingGroupName: 'Alpha', thingName: 'Ghost-Thing' }), 404, 'ResourceNotFoundException');

    await sdkError(s.iot.send(new CreateJobCommand({ jobId: 'ghostly', targets: [arn('thing', 'Beta-00001'), arn('thing', 'Ghost-Thing')], document: DOC })), ResourceNotFoundException, 404);
    await sdkError(s.iot.send(new CreateJobCommand({ jobId: 'ghostly', targets: [arn('thinggroup', 'GhostGroup')], document: DOC })), ResourceNotFoundException, 404);
    await expect(s.iot.send(new DescribeJobCommand({ jobId: 'ghostly' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await s.iot.send(new ListJobsCommand({}))).jobs?.map((j) => j.jobId)).not.toContain('ghostly');
  });

  it('updates on a terminal execution → InvalidStateTransition, from the device and from the control plane; the execution stays as it was', async () => {
    await s.iot.send(new CreateJobCommand({ jobId: 'finished', targets: [arn('thing', 'Beta-00001')], document: DOC }));
    const d = await s.device('Beta-00001');
    expect((await d.update('finished', 'SUCCEEDED', { statusDetails: { result: 'ok' } })).accepted).toBe(true);
    for (const status of ['IN_PROGRESS', 'FAILED', 'SUCCEEDED']) {
      const r = await d.update('finished', status, { statusDetails: { result: 'changed' } });
      expect(r).toMatchObject({ accepted: false, json: { code: 'InvalidStateTransition', executionState: { status: 'SUCCEEDED', versionNumber: 2, statusDetails: { result: 'ok' } } } });
    }
    await sdkError(s.iot.send(new CancelJobExecutionCommand({ jobId: 'finished', thingName: 'Beta-00001', force: true })), InvalidStateTransitionException, 409);
    expect((await s.iot.send(new DescribeJobExecutionCommand({ jobId: 'finished', thingName: 'Beta-00001' }))).execution).toMatchObject({
      status: 'SUCCEEDED',
      versionNumber: 2,
      statusDetails: { detailsMap: { result: 'ok' } },
    });
    // Malformed device requests are rejected too, without harm.
    const junk = d.waitFor((m) => m.topic === `${d.prefix}/finished/update/rejected` && m.json.code === 'InvalidJson', 10_000, 'InvalidJson');
    await d.client.publishAsync(`${d.prefix}/finished/update`, 'this is not json', { qos: 1 });
    expect((await junk).json.code).toBe('InvalidJson');
    const keeper = await s.device('Alpha-00001');
    expect((await keeper.update('keep', 'DONE')).json.code).toBe('InvalidRequest');
    expect((await keeper.update('keep', 'IN_PROGRESS', { expectedVersion: 7 })).json).toMatchObject({ code: 'VersionMismatch', executionState: { versionNumber: 2 } });
  });

  it('after all of that the service still serves and the earlier job is intact', async () => {
    expect(await snapshot()).toEqual(baseline);
    // Only the jobs that were valid exist.
    expect((await s.iot.send(new ListJobsCommand({}))).jobs?.map((j) => j.jobId).sort()).toEqual(['finished', 'fits', 'keep']);
    const health = await fetch(`${s.http}/_acfleet/health`);
    expect(health.status).toBe(200);
    // The device carries on with its execution.
    const d = await s.device('Alpha-00001');
    expect((await d.update('keep', 'SUCCEEDED', { expectedVersion: 2 })).accepted).toBe(true);
    expect((await s.iot.send(new DescribeJobCommand({ jobId: 'keep' }))).job?.jobProcessDetails).toMatchObject({ numberOfSucceededThings: 1, numberOfQueuedThings: 2 });
    await s.iot.send(new CreateJobCommand({ jobId: 'after', targets: [arn('thing', 'Beta-00002')], document: DOC }));
    expect((await s.iot.send(new DescribeJobCommand({ jobId: 'after' }))).job?.status).toBe('IN_PROGRESS');
  });
});
