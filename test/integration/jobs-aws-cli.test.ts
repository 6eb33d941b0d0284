/**
 * The README workshop's commands through the real AWS CLI (`--endpoint-url`, dummy credentials):
 * describe-thing-group, create-job with `--document file://…` on the group's ARN, describe-job,
 * list-jobs (the CLI following nextToken), list-job-executions-for-job, describe-job-execution
 * (iot and iot-jobs-data, told apart by their signatures), cancel-job, and the duplicate-id error
 * text (spec §3.1, §10 #27, #29). Skips loudly where `aws` is not installed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudStack, type CloudStack } from '../../src/cli/stack.js';
import { validateConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/log.js';
import { announceAwsCliSkip, AwsCli, hasAwsCli } from '../helpers/aws-cli.js';
import { PlayedJobsDevice } from '../helpers/played-jobs-device.js';

announceAwsCliSkip('test/integration/jobs-aws-cli.test.ts');

const ACCOUNT = '123456789012';
const JOB_DOC = '{"tempUnit":"celsius","ledColor":"green"}';
let dir = '';
const deviceSecret = randomBytes(16).toString('hex');
let stack: CloudStack;
let aws: AwsCli;
const devices: PlayedJobsDevice[] = [];

beforeAll(async () => {
  if (!hasAwsCli) return;
  dir = mkdtempSync(join(tmpdir(), 'acfleet-jobs-cli-'));
  const config = validateConfig({
    seed: 3,
    broker: { type: 'embedded', host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    groups: [
      { name: 'SaoPaulo', count: 3, location: { city: 'São Paulo', country: 'BR', lat: -23.55, lon: -46.63, climate: { meanTemp: 21, dailySwing: 9, humidity: 78 } }, initialState: { ledColor: 'red', tempUnit: 'fahrenheit', setpoint: 22, power: 'on' } },
      { name: 'London', count: 2, location: { city: 'London', country: 'GB', lat: 51.5, lon: -0.12, climate: { meanTemp: 10, dailySwing: 6, humidity: 80 } }, initialState: { ledColor: 'red', tempUnit: 'celsius', setpoint: 21, power: 'on' } },
    ],
  });
  stack = await startCloudStack({ config, statePath: ':memory:', deviceSecret, log: silentLogger() });
  aws = new AwsCli(stack.api.url);
  writeFileSync(join(dir, 'job.json'), `${JOB_DOC}\n`);
});

afterAll(async () => {
  for (const d of devices) await d.close().catch(() => undefined);
  await stack?.close();
  aws?.cleanup();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasAwsCli)('the workshop through the AWS CLI', () => {
  let groupArn: string;

  it('describe-thing-group gives the SaoPaulo ARN; create-job --document file://job.json on it returns {jobArn, jobId}', async () => {
    const group = await aws.json<{ thingGroupName: string; thingGroupArn: string }>(['iot', 'describe-thing-group', '--thing-group-name', 'SaoPaulo']);
    expect(group.thingGroupName).toBe('SaoPaulo');
    groupArn = group.thingGroupArn;
    expect(groupArn).toBe(`arn:aws:iot:us-east-1:${ACCOUNT}:thinggroup/SaoPaulo`);

    const created = await aws.json(['iot', 'create-job', '--job-id', 'ChangeTempUnit', '--targets', groupArn, '--document', 'file://job.json', '--target-selection', 'CONTINUOUS'], dir);
    expect(created).toEqual({ jobArn: `arn:aws:iot:us-east-1:${ACCOUNT}:job/ChangeTempUnit`, jobId: 'ChangeTempUnit' });
    expect((await aws.json<{ document: string }>(['iot', 'get-job-document', '--job-id', 'ChangeTempUnit'])).document.trim()).toBe(JOB_DOC);
  });

  it('a duplicate create-job prints AWS’s error line and exits non-zero', async () => {
    const r = await aws.run(['iot', 'create-job', '--job-id', 'ChangeTempUnit', '--targets', groupArn, '--document', 'file://job.json', '--target-selection', 'CONTINUOUS'], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('An error occurred (ResourceAlreadyExistsException) when calling the CreateJob operation: Job ChangeTempUnit already exists.');
    expect(r.stdout).toBe('');
  });

  it('describe-job shows the job IN_PROGRESS with its counters; list-job-executions-for-job lists every SaoPaulo device', async () => {
    const { job } = await aws.json<{ job: Record<string, unknown> }>(['iot', 'describe-job', '--job-id', 'ChangeTempUnit']);
    expect(job).toMatchObject({
      jobId: 'ChangeTempUnit',
      status: 'IN_PROGRESS',
      targetSelection: 'CONTINUOUS',
      targets: [groupArn],
      jobProcessDetails: { numberOfQueuedThings: 3, numberOfInProgressThings: 0, numberOfSucceededThings: 0 },
    });
    const { executionSummaries } = await aws.json<{ executionSummaries: { thingArn: string; jobExecutionSummary: { status: string } }[] }>([
      'iot',
      'list-job-executions-for-job',
      '--job-id',
      'ChangeTempUnit',
    ]);
    expect(executionSummaries.map((e) => e.thingArn).sort()).toEqual(['SaoPaulo-00001', 'SaoPaulo-00002', 'SaoPaulo-00003'].map((t) => `arn:aws:iot:us-east-1:${ACCOUNT}:thing/${t}`));
    expect(executionSummaries.every((e) => e.jobExecutionSummary.status === 'QUEUED')).toBe(true);
  });

  it('tracks a device’s progress: describe-job-execution (iot: detailsMap) and iot-jobs-data describe-job-execution (device shape) on the same path', async () => {
    const device = await PlayedJobsDevice.connect(stack.cloud.mqttUrl, deviceSecret, 'SaoPaulo-00001');
    devices.push(device);
    expect((await device.startNext({ statusDetails: { step: 'blue' } })).json.execution).toMatchObject({ jobId: 'ChangeTempUnit', status: 'IN_PROGRESS' });
    expect((await device.update('ChangeTempUnit', 'SUCCEEDED', { statusDetails: { tempUnit: 'celsius', ledColor: 'green' } })).accepted).toBe(true);

    const { execution } = await aws.json<{ execution: Record<string, unknown> }>(['iot', 'describe-job-execution', '--job-id', 'ChangeTempUnit', '--thing-name', 'SaoPaulo-00001']);
    expect(execution).toMatchObject({ jobId: 'ChangeTempUnit', status: 'SUCCEEDED', versionNumber: 3, statusDetails: { detailsMap: { tempUnit: 'celsius', ledColor: 'green' } } });
    const data = await aws.json<{ execution: Record<string, unknown> }>(['iot-jobs-data', 'describe-job-execution', '--job-id', 'ChangeTempUnit', '--thing-name', 'SaoPaulo-00001', '--include-job-document']);
    expect(data.execution).toMatchObject({ jobId: 'ChangeTempUnit', thingName: 'SaoPaulo-00001', status: 'SUCCEEDED', statusDetails: { tempUnit: 'celsius', ledColor: 'green' } });
    // Over HTTPS the document is a string (§1.3).
    expect(JSON.parse(data.execution.jobDocument as string)).toEqual(JSON.parse(JOB_DOC));

    const { job } = await aws.json<{ job: { jobProcessDetails: Record<string, number> } }>(['iot', 'describe-job', '--job-id', 'ChangeTempUnit']);
    expect(job.jobProcessDetails).toMatchObject({ numberOfQueuedThings: 2, numberOfSucceededThings: 1 });
  });

  it('list-jobs follows nextToken page by page (--page-size 1) and filters by status', async () => {
    for (const jobId of ['second-job', 'third-job']) {
      await aws.json(['iot', 'create-job', '--job-id', jobId, '--targets', `arn:aws:iot:::thing/London-00001`, '--document', 'file://job.json'], dir);
    }
    const { jobs } = await aws.json<{ jobs: { jobId: string; status: string }[] }>(['iot', 'list-jobs', '--page-size', '1']);
    expect(jobs.map((j) => j.jobId).sort()).toEqual(['ChangeTempUnit', 'second-job', 'third-job']);
    const firstTwo = await aws.json<{ jobs: unknown[]; NextToken?: string }>(['iot', 'list-jobs', '--max-items', '2']);
    expect(firstTwo.jobs).toHaveLength(2);
    expect(firstTwo.NextToken).toEqual(expect.any(String));
    const continuous = await aws.json<{ jobs: { jobId: string }[] }>(['iot', 'list-jobs', '--target-selection', 'CONTINUOUS']);
    expect(continuous.jobs.map((j) => j.jobId)).toEqual(['ChangeTempUnit']);
  });

  it('cancel-job with a reason code and comment: the job is CANCELED and its QUEUED executions too', async () => {
    const r = await aws.json(['iot', 'cancel-job', '--job-id', 'ChangeTempUnit', '--reason-code', 'WORKSHOP_DONE', '--comment', 'all devices switched']);
    expect(r).toMatchObject({ jobArn: `arn:aws:iot:us-east-1:${ACCOUNT}:job/ChangeTempUnit`, jobId: 'ChangeTempUnit' });
    const { job } = await aws.json<{ job: Record<string, unknown> }>(['iot', 'describe-job', '--job-id', 'ChangeTempUnit']);
    expect(job).toMatchObject({ status: 'CANCELED', reasonCode: 'WORKSHOP_DONE', comment: 'all devices switched', jobProcessDetails: { numberOfCanceledThings: 2, numberOfSucceededThings: 1 } });
    const canceled = await aws.json<{ jobs: { jobId: string }[] }>(['iot', 'list-jobs', '--status', 'CANCELED']);
    expect(canceled.jobs.map((j) => j.jobId)).toEqual(['ChangeTempUnit']);

    const missing = await aws.run(['iot', 'describe-job', '--job-id', 'NoSuchJob']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/An error occurred \(ResourceNotFoundException\) when calling the DescribeJob operation: /);
  });

  it('takes every rollout setting as the CLI sends it and shows them back; the rate holds back all but the first target', async () => {
    const created = await aws.json([
      'iot', 'create-job', '--job-id', 'Staged', '--targets', groupArn, '--document', 'file://job.json',
      '--job-executions-rollout-config', '{"maximumPerMinute":1,"exponentialRate":{"baseRatePerMinute":1,"incrementFactor":2,"rateIncreaseCriteria":{"numberOfSucceededThings":5}}}',
      '--abort-config', '{"criteriaList":[{"failureType":"ALL","action":"CANCEL","thresholdPercentage":10,"minNumberOfExecutedThings":10}]}',
      '--timeout-config', 'inProgressTimeoutInMinutes=30',
      '--job-executions-retry-config', '{"criteriaList":[{"failureType":"TIMED_OUT","numberOfRetries":2}]}',
    ], dir);
    expect(created).toMatchObject({ jobId: 'Staged' });
    const { job } = await aws.json<{ job: Record<string, unknown> }>(['iot', 'describe-job', '--job-id', 'Staged']);
    expect(job).toMatchObject({
      jobExecutionsRolloutConfig: { maximumPerMinute: 1, exponentialRate: { baseRatePerMinute: 1, incrementFactor: 2, rateIncreaseCriteria: { numberOfSucceededThings: 5 } } },
      abortConfig: { criteriaList: [{ failureType: 'ALL', action: 'CANCEL', thresholdPercentage: 10, minNumberOfExecutedThings: 10 }] },
      timeoutConfig: { inProgressTimeoutInMinutes: 30 },
      jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'TIMED_OUT', numberOfRetries: 2 }] },
      jobProcessDetails: { processingTargets: [groupArn] },
    });
    const listed = await aws.json<{ executionSummaries: unknown[] }>(['iot', 'list-job-executions-for-job', '--job-id', 'Staged']);
    expect(listed.executionSummaries).toHaveLength(1);
    const metrics = await (await fetch(`${stack.api.url}/metrics`)).text();
    expect(metrics).toMatch(/^acfleet_job_targets_pending 2$/m);
  });

  it('create-job-template, then create-job --job-template-arn; an AWS managed template with --document-parameters', async () => {
    await aws.json(['iot', 'create-job-template', '--job-template-id', 'celsius', '--description', 'switch to Celsius', '--document', 'file://job.json', '--timeout-config', 'inProgressTimeoutInMinutes=20'], dir);
    await aws.json(['iot', 'create-job', '--job-id', 'FromTemplate', '--targets', `arn:aws:iot:us-east-1:${ACCOUNT}:thing/London-00001`, '--job-template-arn', `arn:aws:iot:us-east-1:${ACCOUNT}:jobtemplate/celsius`]);
    const { job } = await aws.json<{ job: Record<string, unknown> }>(['iot', 'describe-job', '--job-id', 'FromTemplate']);
    expect(job).toMatchObject({ jobTemplateArn: `arn:aws:iot:us-east-1:${ACCOUNT}:jobtemplate/celsius`, timeoutConfig: { inProgressTimeoutInMinutes: 20 } });

    await aws.json([
      'iot', 'create-job', '--job-id', 'Download', '--targets', `arn:aws:iot:us-east-1:${ACCOUNT}:thing/London-00002`,
      '--job-template-arn', 'arn:aws:iot:us-east-1::jobtemplate/AWS-Download-File:1.0',
      '--document-parameters', 'downloadUrl=https://example.com/index.html,filePath=path/to/file',
    ]);
    const doc = await aws.json<{ document: string }>(['iot', 'get-job-document', '--job-id', 'Download']);
    expect(doc.document).toContain('https://example.com/index.html');
    const managed = await aws.json<{ managedJobTemplates: { templateName: string }[] }>(['iot', 'list-managed-job-templates']);
    expect(managed.managedJobTemplates.map((t) => t.templateName)).toContain('AWS-Reboot');
  });
});
