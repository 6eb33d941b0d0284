/**
 * Job templates (spec §3.2, §7): custom templates created from a document, a documentSource or an
 * existing job, listed in pages and kept across restarts; the AWS managed ones; and what CreateJob
 * takes from either (`documentForJob`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jobAsTemplateSource, jobIdOfArn, JobTemplates, type TemplateSourceJob } from '../../src/cloud/jobs/job-templates.js';
import { openStore, WriteBatcher, type Db } from '../../src/cloud/store/sqlite.js';
import { FakeClock } from '../../src/core/clock.js';

const dir = mkdtempSync(join(tmpdir(), 'acfleet-templates-'));
mkdirSync(join(dir, 'fw-bucket'), { recursive: true });
writeFileSync(join(dir, 'fw-bucket', 'job.json'), '{"operation":"ota","version":"2.0"}');
writeFileSync(join(dir, 'fw-bucket', 'list.json'), '[1,2]');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCOPE = { region: 'us-east-1', account: '123456789012' };
const DOC = '{"operation":"reboot"}';
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0, 500);

const SOURCE_JOB: TemplateSourceJob = {
  document: '{"from":"job"}',
  configs: { timeoutConfig: { inProgressTimeoutInMinutes: 30 }, jobExecutionsRolloutConfig: { maximumPerMinute: 5 }, maintenanceWindows: [{ startTime: 'cron(0 2 * * ? *)', durationInMinutes: 60 }] },
};

function templates(db: Db = openStore(':memory:'), clock = new FakeClock(T0)) {
  const batcher = new WriteBatcher(db);
  const t = new JobTemplates({
    db,
    batcher,
    scope: SCOPE,
    clock,
    jobByArn: (arn) => (jobIdOfArn(arn) === 'reboot-2025' ? SOURCE_JOB : undefined),
    documentSource: { bucketsDir: dir },
  });
  return { t, db, batcher, clock };
}

describe('custom job templates', () => {
  it('create, describe, list and delete', async () => {
    const { t, clock } = templates();
    expect(await t.create('reboot', { description: 'Reboot the unit', document: DOC, timeoutConfig: { inProgressTimeoutInMinutes: 10 }, tags: [{ Key: 'team', Value: 'ops' }] })).toEqual({
      ok: true,
      value: { jobTemplateArn: 'arn:aws:iot:us-east-1:123456789012:jobtemplate/reboot', jobTemplateId: 'reboot' },
    });
    clock.advance(1000);
    await t.create('ota', { description: 'OTA', document: DOC });
    expect(t.describe('reboot')).toEqual({
      ok: true,
      value: {
        jobTemplateArn: 'arn:aws:iot:us-east-1:123456789012:jobtemplate/reboot',
        jobTemplateId: 'reboot',
        description: 'Reboot the unit',
        document: DOC,
        createdAt: T0 / 1000,
        timeoutConfig: { inProgressTimeoutInMinutes: 10 },
      },
    });
    expect(t.list({})).toEqual({
      ok: true,
      value: {
        jobTemplates: [
          { jobTemplateArn: 'arn:aws:iot:us-east-1:123456789012:jobtemplate/reboot', jobTemplateId: 'reboot', description: 'Reboot the unit', createdAt: T0 / 1000 },
          { jobTemplateArn: 'arn:aws:iot:us-east-1:123456789012:jobtemplate/ota', jobTemplateId: 'ota', description: 'OTA', createdAt: (T0 + 1000) / 1000 },
        ],
      },
    });
    expect(t.delete('reboot')).toEqual({ ok: true, value: {} });
    expect(t.describe('reboot')).toEqual({ ok: false, error: { code: 'ResourceNotFound', message: 'Job template reboot cannot be found.' } });
    expect(t.delete('reboot')).toMatchObject({ ok: false, error: { code: 'ResourceNotFound' } });
    expect(t.describe('bad id!')).toMatchObject({ ok: false, error: { code: 'InvalidRequest' } });
    // The id is free again.
    expect((await t.create('reboot', { description: 'again', document: DOC })).ok).toBe(true);
  });

  it('refuses a duplicate id with ConflictException (the model’s error for CreateJobTemplate)', async () => {
    const { t } = templates();
    await t.create('reboot', { description: 'r', document: DOC });
    expect(await t.create('reboot', { description: 'r2', document: DOC })).toEqual({
      ok: false,
      error: { code: 'Conflict', message: 'Job template reboot already exists.', resourceId: 'reboot' },
    });
  });

  it('validates the request as CreateJob does', async () => {
    const { t } = templates();
    const bad = async (id: string, body: unknown) => {
      const r = await t.create(id, body);
      expect(r.ok).toBe(false);
      return r.ok ? '' : `${r.error.code}: ${r.error.message}`;
    };
    expect(await bad('no spaces', { description: 'x', document: DOC })).toBe(
      "InvalidRequest: 1 validation error detected: Value 'no spaces' at 'jobTemplateId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_-]+$",
    );
    expect(await bad('t', { document: DOC })).toContain("at 'description' failed to satisfy constraint: Member must not be null");
    expect(await bad('t', { description: 'x' })).toContain('exactly one of document, documentSource or jobArn');
    expect(await bad('t', { description: 'x', document: DOC, documentSource: 'https://b.s3.amazonaws.com/k' })).toContain('exactly one of');
    expect(await bad('t', { description: 'x', document: '[1]' })).toContain('Member must be a JSON object');
    expect(await bad('t', { description: 'x', document: DOC, presignedUrlConfig: { expiresInSec: 30 } })).toContain("'presignedUrlConfig.expiresInSec'");
    expect(await bad('t', { description: 'x', document: DOC, maintenanceWindows: [{ startTime: 'cron(0 2 * * ? *)', durationInMinutes: 2000 }] })).toContain("'maintenanceWindows.1.member.durationInMinutes'");
    expect(await bad('t', 'not an object')).toContain('Request body must be a JSON object');
    // The path names the template, whatever the body says.
    expect(await t.create('t', { description: 'x', document: DOC, jobTemplateId: 'other' })).toMatchObject({ ok: true, value: { jobTemplateId: 't' } });
  });

  it('reads a documentSource at creation, and reports the source', async () => {
    const { t } = templates();
    const source = 'https://fw-bucket.s3.amazonaws.com/job.json';
    expect((await t.create('ota', { description: 'OTA', documentSource: source })).ok).toBe(true);
    expect(t.describe('ota')).toMatchObject({ ok: true, value: { documentSource: source } });
    expect(t.documentForJob('arn:aws:iot:us-east-1:123456789012:jobtemplate/ota', undefined)).toMatchObject({ ok: true, value: { document: '{"operation":"ota","version":"2.0"}' } });
    expect(await t.create('missing', { description: 'x', documentSource: 'https://fw-bucket.s3.amazonaws.com/nope.json' })).toMatchObject({ ok: false });
    expect(await t.create('bad-url', { description: 'x', documentSource: 'https://fw-bucket.s3.amazonaws.com/%E0' })).toMatchObject({ ok: false, error: { code: 'InvalidRequest' } });
    expect(await t.create('list', { description: 'x', documentSource: 'https://fw-bucket.s3.amazonaws.com/list.json' })).toMatchObject({
      ok: false,
      error: { code: 'InvalidRequest', message: expect.stringContaining('not acceptable') },
    });
  });

  it('copies an existing job (jobArn): its document and configs, the request’s own configs winning', async () => {
    const { t } = templates();
    const r = await t.create('from-job', { description: 'copy', jobArn: 'arn:aws:iot:us-east-1:123456789012:job/reboot-2025', timeoutConfig: { inProgressTimeoutInMinutes: 5 } });
    expect(r.ok).toBe(true);
    expect(t.describe('from-job')).toMatchObject({
      ok: true,
      value: {
        document: '{"from":"job"}',
        timeoutConfig: { inProgressTimeoutInMinutes: 5 },
        jobExecutionsRolloutConfig: { maximumPerMinute: 5 },
        maintenanceWindows: [{ startTime: 'cron(0 2 * * ? *)', durationInMinutes: 60 }],
      },
    });
    expect(await t.create('ghost', { description: 'x', jobArn: 'arn:aws:iot:us-east-1:123456789012:job/nope' })).toEqual({
      ok: false,
      error: { code: 'ResourceNotFound', message: 'Job nope cannot be found.' },
    });
  });

  it('pages with maxResults and an opaque nextToken', async () => {
    const { t } = templates();
    for (let i = 1; i <= 5; i++) await t.create(`t${i}`, { description: `#${i}`, document: DOC });
    const ids: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = t.list({ maxResults: 2, ...(nextToken !== undefined ? { nextToken } : {}) });
      if (!page.ok) throw new Error(page.error.message);
      ids.push(...page.value.jobTemplates.map((s) => s.jobTemplateId as string));
      nextToken = page.value.nextToken;
      pages++;
    } while (nextToken !== undefined);
    expect(ids).toEqual(['t1', 't2', 't3', 't4', 't5']);
    expect(pages).toBe(3);
    expect(t.list({ maxResults: 0 })).toMatchObject({ ok: false, error: { code: 'InvalidRequest' } });
    expect(t.list({ nextToken: 'garbage' })).toMatchObject({ ok: false, error: { code: 'InvalidRequest' } });
  });

  it('are kept in the store: a new JobTemplates on the same database sees them, in order, deletes included', async () => {
    const db = openStore(':memory:');
    const first = templates(db);
    await first.t.create('a', { description: 'A', document: DOC, abortConfig: { criteriaList: [{ failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 10, minNumberOfExecutedThings: 1 }] } });
    await first.t.create('b', { description: 'B', document: DOC });
    await first.t.create('c', { description: 'C', document: DOC });
    first.t.delete('b');
    // Deleted and recreated in the same batch: the recreation wins.
    first.t.delete('c');
    await first.t.create('c', { description: 'C2', document: DOC });
    first.batcher.flush();
    const second = templates(db);
    expect(second.t.describe('a')).toEqual(first.t.describe('a'));
    expect(second.t.list({})).toMatchObject({ ok: true, value: { jobTemplates: [{ jobTemplateId: 'a' }, { jobTemplateId: 'c', description: 'C2' }] } });
    expect(second.t.describe('b')).toMatchObject({ ok: false, error: { code: 'ResourceNotFound' } });
    // New ids continue after the stored ones.
    await second.t.create('d', { description: 'D', document: DOC });
    second.batcher.flush();
    expect(templates(db).t.list({})).toMatchObject({ ok: true, value: { jobTemplates: [{ jobTemplateId: 'a' }, { jobTemplateId: 'c' }, { jobTemplateId: 'd' }] } });
  });
});

describe('AWS managed job templates', () => {
  it('DescribeManagedJobTemplate: the summary, parameters and document, any version or 1.0', () => {
    const { t } = templates();
    const d = t.describeManaged('AWS-Download-File');
    expect(d).toMatchObject({
      ok: true,
      value: {
        templateName: 'AWS-Download-File',
        templateArn: 'arn:aws:iot:us-east-1::jobtemplate/AWS-Download-File:1.0',
        description: 'A managed job template for downloading a file.',
        templateVersion: '1.0',
        environments: ['LINUX'],
        documentParameters: [{ key: 'downloadUrl' }, { key: 'filePath' }, { key: 'runAsUser' }, { key: 'pathToHandler' }],
        document: expect.stringContaining('download-file.sh'),
      },
    });
    expect(t.describeManaged('AWS-Download-File', '1.0')).toEqual(d);
    expect(t.describeManaged('AWS-Download-File', '2.0')).toMatchObject({ ok: false, error: { code: 'ResourceNotFound' } });
    expect(t.describeManaged('AWS-Fly')).toMatchObject({ ok: false, error: { code: 'ResourceNotFound', message: 'Managed job template AWS-Fly cannot be found.' } });
    expect(t.describeManaged('AWS-Reboot', 'latest')).toMatchObject({ ok: false, error: { code: 'InvalidRequest' } });
  });

  it('ListManagedJobTemplates: all eight, paged, or one by name', () => {
    const { t } = templates();
    const all = t.listManaged({});
    expect(all.ok && all.value.managedJobTemplates).toHaveLength(8);
    expect(all.ok && all.value.managedJobTemplates[0]).toEqual({
      templateArn: 'arn:aws:iot:us-east-1::jobtemplate/AWS-Download-File:1.0',
      templateName: 'AWS-Download-File',
      description: 'A managed job template for downloading a file.',
      environments: ['LINUX'],
      templateVersion: '1.0',
    });
    const page = t.listManaged({ maxResults: 5 });
    expect(page.ok && page.value.managedJobTemplates).toHaveLength(5);
    expect(page.ok && page.value.nextToken).toBeTypeOf('string');
    expect(t.listManaged({ templateName: 'AWS-Reboot' })).toMatchObject({ ok: true, value: { managedJobTemplates: [{ templateName: 'AWS-Reboot' }] } });
    expect(t.listManaged({ templateName: 'AWS-Fly' })).toMatchObject({ ok: false, error: { code: 'ResourceNotFound' } });
  });
});

describe('documentForJob', () => {
  it('a managed template: parameters substituted, its description as the job’s default', () => {
    const { t } = templates();
    const r = t.documentForJob('arn:aws:iot:us-east-1::jobtemplate/AWS-Download-File:1.0', { downloadUrl: 'https://example.com/index.html', filePath: 'path/to/file' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(JSON.parse(r.value.document)).toMatchObject({ steps: [{ action: { input: { args: ['https://example.com/index.html', 'path/to/file'], path: '' }, runAsUser: '' } }] });
    expect(r.value.defaults).toEqual({ description: 'A managed job template for downloading a file.' });
    // Any region: callers copy ARNs between regions (the emulator has one).
    expect(t.documentForJob('arn:aws:iot:eu-west-1::jobtemplate/AWS-Reboot:1.0', undefined).ok).toBe(true);
    expect(t.documentForJob('arn:aws:iot:us-east-1::jobtemplate/AWS-Download-File:1.0', { downloadUrl: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'InvalidRequest', message: 'Missing required document parameter filePath for job template arn:aws:iot:us-east-1::jobtemplate/AWS-Download-File:1.0' },
    });
    expect(t.documentForJob('arn:aws:iot:us-east-1::jobtemplate/AWS-Reboot:9.9', undefined)).toEqual({
      ok: false,
      error: { code: 'ResourceNotFound', message: 'Job template arn:aws:iot:us-east-1::jobtemplate/AWS-Reboot:9.9 cannot be found.' },
    });
  });

  it('a custom template: its document as stored and its configs (and description) as defaults', async () => {
    const { t } = templates();
    await t.create('ota', {
      description: 'OTA',
      document: '{"url":"${aws:iot:s3-presigned-url:https://fw-bucket.s3.amazonaws.com/fw.bin}"}',
      presignedUrlConfig: { roleArn: 'arn:aws:iam::123456789012:role/iot-s3', expiresInSec: 300 },
      jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 2 }] },
      maintenanceWindows: [{ startTime: 'cron(0 2 * * ? *)', durationInMinutes: 60 }],
      destinationPackageVersions: ['arn:aws:iot:us-east-1:123456789012:package/fw/version/2.0'],
    });
    const arn = 'arn:aws:iot:us-east-1:123456789012:jobtemplate/ota';
    const r = t.documentForJob(arn, undefined);
    expect(r).toEqual({
      ok: true,
      value: {
        // Placeholders stay raw: they are signed when a device gets the document.
        document: '{"url":"${aws:iot:s3-presigned-url:https://fw-bucket.s3.amazonaws.com/fw.bin}"}',
        defaults: {
          description: 'OTA',
          presignedUrlConfig: { roleArn: 'arn:aws:iam::123456789012:role/iot-s3', expiresInSec: 300 },
          jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 2 }] },
          maintenanceWindows: [{ startTime: 'cron(0 2 * * ? *)', durationInMinutes: 60 }],
          destinationPackageVersions: ['arn:aws:iot:us-east-1:123456789012:package/fw/version/2.0'],
        },
      },
    });
    // Defaults are copies: a job changing them cannot change the template.
    if (r.ok) r.value.defaults.maintenanceWindows?.splice(0);
    expect(t.documentForJob(arn, undefined)).toMatchObject({ ok: true, value: { defaults: { maintenanceWindows: [{ durationInMinutes: 60 }] } } });
    expect(t.documentForJob(arn, { x: 'y' })).toMatchObject({ ok: false, error: { code: 'InvalidRequest' } });
    expect(t.documentForJob('arn:aws:iot:us-east-1:123456789012:jobtemplate/nope', undefined)).toEqual({
      ok: false,
      error: { code: 'ResourceNotFound', message: 'Job template arn:aws:iot:us-east-1:123456789012:jobtemplate/nope cannot be found.' },
    });
    expect(t.documentForJob('arn:aws:iot:us-east-1:123456789012:job/ota', undefined)).toMatchObject({ ok: false, error: { code: 'ResourceNotFound' } });
  });
});

describe('jobAsTemplateSource', () => {
  it('takes the document, source and the configs a template can hold from a stored job', () => {
    expect(
      jobAsTemplateSource({
        targets: ['arn:aws:iot:us-east-1:123456789012:thing/a'],
        targetSelection: 'SNAPSHOT',
        document: DOC,
        documentSource: 'https://b.s3.amazonaws.com/k',
        description: 'not copied',
        timeoutConfig: { inProgressTimeoutInMinutes: 3 },
        schedulingConfig: { startTime: '2026-01-01T10:00', maintenanceWindows: [{ startTime: 'cron(0 2 * * ? *)', durationInMinutes: 30 }] },
      }),
    ).toEqual({
      document: DOC,
      documentSource: 'https://b.s3.amazonaws.com/k',
      configs: { timeoutConfig: { inProgressTimeoutInMinutes: 3 }, maintenanceWindows: [{ startTime: 'cron(0 2 * * ? *)', durationInMinutes: 30 }] },
    });
    expect(jobIdOfArn('arn:aws:iot:us-east-1:123456789012:job/ota-1')).toBe('ota-1');
    expect(jobIdOfArn('arn:aws:iot:us-east-1:123456789012:thing/ota-1')).toBeUndefined();
  });
});
