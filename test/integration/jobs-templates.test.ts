/**
 * Job templates through the unmodified AWS SDK v3 (`@aws-sdk/client-iot`) against the real cloud
 * stack, and the local file host that presigned URLs point at (spec §3.2, §7), over real sockets.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictException,
  CreateJobTemplateCommand,
  DeleteJobTemplateCommand,
  DescribeJobTemplateCommand,
  DescribeManagedJobTemplateCommand,
  InvalidRequestException,
  ListJobTemplatesCommand,
  ListManagedJobTemplatesCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-iot';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerFiles } from '../../src/api/files.js';
import { FileHost } from '../../src/cloud/jobs/file-host.js';
import { openStore } from '../../src/cloud/store/sqlite.js';
import { FakeClock } from '../../src/core/clock.js';
import { startJobsStack, type JobsStack } from '../helpers/jobs-stack.js';

const dir = mkdtempSync(join(tmpdir(), 'acfleet-templates-it-'));
const filesDir = join(dir, 's3');
const FIRMWARE = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
mkdirSync(join(filesDir, 'fw-bucket', 'releases'), { recursive: true });
writeFileSync(join(filesDir, 'fw-bucket', 'releases', 'fw v2.bin'), FIRMWARE);
writeFileSync(join(filesDir, 'fw-bucket', 'job.json'), '{"operation":"ota"}');

let s: JobsStack;
const ARN_PREFIX = 'arn:aws:iot:us-east-1:123456789012';
const DOC = JSON.stringify({ operation: 'ota', url: '${aws:iot:s3-presigned-url:https://fw-bucket.s3.amazonaws.com/releases/fw v2.bin}' });

beforeAll(async () => {
  s = await startJobsStack({ alpha: 1, beta: 1, filesDirectory: filesDir });
});

afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A GET's status, the body read so that the connection is free again. */
async function statusOf(url: string): Promise<number> {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.status;
}

/** The error an SDK call rejects with. */
const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );

describe('job templates through @aws-sdk/client-iot', () => {
  it('CreateJobTemplate, DescribeJobTemplate, ListJobTemplates, DeleteJobTemplate', async () => {
    const created = await s.iot.send(
      new CreateJobTemplateCommand({
        jobTemplateId: 'ota-template',
        description: 'OTA to v2',
        document: DOC,
        presignedUrlConfig: { roleArn: 'arn:aws:iam::123456789012:role/iot-s3-read', expiresInSec: 600 },
        timeoutConfig: { inProgressTimeoutInMinutes: 15 },
        maintenanceWindows: [{ startTime: 'cron(0 2 * * ? *)', durationInMinutes: 120 }],
        tags: [{ Key: 'team', Value: 'firmware' }],
      }),
    );
    expect(created).toMatchObject({ jobTemplateArn: `${ARN_PREFIX}:jobtemplate/ota-template`, jobTemplateId: 'ota-template' });

    const described = await s.iot.send(new DescribeJobTemplateCommand({ jobTemplateId: 'ota-template' }));
    expect(described).toMatchObject({
      jobTemplateArn: `${ARN_PREFIX}:jobtemplate/ota-template`,
      jobTemplateId: 'ota-template',
      description: 'OTA to v2',
      document: DOC,
      presignedUrlConfig: { roleArn: 'arn:aws:iam::123456789012:role/iot-s3-read', expiresInSec: 600 },
      timeoutConfig: { inProgressTimeoutInMinutes: 15 },
      maintenanceWindows: [{ startTime: 'cron(0 2 * * ? *)', durationInMinutes: 120 }],
    });
    // Epoch seconds on the wire, a Date in the SDK, near the stack's simulated now.
    expect(described.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(described.createdAt!.getTime() - s.stack.cloud.clock.now())).toBeLessThan(60 * 60_000);

    await s.iot.send(new CreateJobTemplateCommand({ jobTemplateId: 'from-source', description: 'sourced', documentSource: 'https://fw-bucket.s3.amazonaws.com/job.json' }));
    expect(await s.iot.send(new DescribeJobTemplateCommand({ jobTemplateId: 'from-source' }))).toMatchObject({ documentSource: 'https://fw-bucket.s3.amazonaws.com/job.json' });
    for (let i = 0; i < 3; i++) await s.iot.send(new CreateJobTemplateCommand({ jobTemplateId: `t-${i}`, description: `#${i}`, document: '{}' }));

    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await s.iot.send(new ListJobTemplatesCommand({ maxResults: 2, nextToken }));
      expect(page.jobTemplates!.length).toBeLessThanOrEqual(2);
      for (const t of page.jobTemplates ?? []) {
        expect(t).toEqual({ jobTemplateArn: `${ARN_PREFIX}:jobtemplate/${t.jobTemplateId}`, jobTemplateId: t.jobTemplateId, description: expect.any(String), createdAt: expect.any(Date) });
        ids.push(t.jobTemplateId!);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    expect(ids).toEqual(['ota-template', 'from-source', 't-0', 't-1', 't-2']);

    expect(await s.iot.send(new DeleteJobTemplateCommand({ jobTemplateId: 't-1' }))).toMatchObject({ $metadata: { httpStatusCode: 200 } });
    const gone = await rejection(s.iot.send(new DescribeJobTemplateCommand({ jobTemplateId: 't-1' })));
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    expect((gone as Error).message).toBe('Job template t-1 cannot be found.');
    expect(await rejection(s.iot.send(new DeleteJobTemplateCommand({ jobTemplateId: 't-1' })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('answers a duplicate id with ConflictException (resourceId set) and bad input with InvalidRequestException', async () => {
    await s.iot.send(new CreateJobTemplateCommand({ jobTemplateId: 'dup', description: 'd', document: '{}' }));
    const conflict = await rejection(s.iot.send(new CreateJobTemplateCommand({ jobTemplateId: 'dup', description: 'd', document: '{}' })));
    expect(conflict).toBeInstanceOf(ConflictException);
    expect(conflict).toMatchObject({ message: 'Job template dup already exists.', resourceId: 'dup', $metadata: { httpStatusCode: 409 } });

    const twoSources = await rejection(s.iot.send(new CreateJobTemplateCommand({ jobTemplateId: 'x', description: 'd', document: '{}', documentSource: 'https://b.s3.amazonaws.com/k' })));
    expect(twoSources).toBeInstanceOf(InvalidRequestException);
    expect((twoSources as Error).message).toContain('exactly one of document, documentSource or jobArn');
    const badRetry = await rejection(
      s.iot.send(new CreateJobTemplateCommand({ jobTemplateId: 'x', description: 'd', document: '{}', jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 11 }] } })),
    );
    expect((badRetry as Error).message).toContain("'jobExecutionsRetryConfig.criteriaList.1.member.numberOfRetries'");
    expect(await rejection(s.iot.send(new CreateJobTemplateCommand({ jobTemplateId: 'x', description: 'd', jobArn: `${ARN_PREFIX}:job/none` })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('DescribeManagedJobTemplate and ListManagedJobTemplates', async () => {
    const d = await s.iot.send(new DescribeManagedJobTemplateCommand({ templateName: 'AWS-Run-Command', templateVersion: '1.0' }));
    expect(d).toMatchObject({
      templateName: 'AWS-Run-Command',
      templateArn: 'arn:aws:iot:us-east-1::jobtemplate/AWS-Run-Command:1.0',
      templateVersion: '1.0',
      environments: ['LINUX'],
      documentParameters: [
        { key: 'command', optional: false, regex: '(.*?)' },
        { key: 'runAsUser', optional: true, regex: '(.){0,256}' },
      ],
    });
    expect(JSON.parse(d.document!)).toEqual({
      version: '1.0',
      steps: [{ action: { name: 'Run-Command', type: 'runCommand', input: { command: '${aws:iot:parameter:command}' }, runAsUser: '${aws:iot:parameter:runAsUser}' } }],
    });
    expect(await rejection(s.iot.send(new DescribeManagedJobTemplateCommand({ templateName: 'AWS-Teleport' })))).toBeInstanceOf(ResourceNotFoundException);

    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await s.iot.send(new ListManagedJobTemplatesCommand({ maxResults: 3, nextToken }));
      names.push(...(page.managedJobTemplates ?? []).map((t) => t.templateName!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(names.sort()).toEqual(
      ['AWS-Download-File', 'AWS-Install-Application', 'AWS-Reboot', 'AWS-Remove-Application', 'AWS-Restart-Application', 'AWS-Run-Command', 'AWS-Start-Application', 'AWS-Stop-Application'].sort(),
    );
    const one = await s.iot.send(new ListManagedJobTemplatesCommand({ templateName: 'AWS-Reboot' }));
    expect(one.managedJobTemplates).toEqual([
      { templateArn: 'arn:aws:iot:us-east-1::jobtemplate/AWS-Reboot:1.0', templateName: 'AWS-Reboot', description: 'A managed job template for rebooting the device.', environments: ['LINUX'], templateVersion: '1.0' },
    ]);
  });
});

describe('the file host behind presigned URLs', () => {
  const files = (): FileHost => s.stack.cloud.files;

  it('serves a presigned object from the files directory, on the port the server bound', async () => {
    const url = files().presign('fw-bucket', 'releases/fw v2.bin', 600);
    expect(url.startsWith(`${s.http}/_acfleet/files/fw-bucket/releases/fw%20v2.bin?X-Amz-Algorithm=AWS4-HMAC-SHA256&`)).toBe(true);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(FIRMWARE.length));
    expect(res.headers.get('content-type')).toBe('binary/octet-stream');
    expect(Buffer.from(await res.arrayBuffer()).equals(FIRMWARE)).toBe(true);

    const json = await fetch(files().presign('fw-bucket', 'job.json'));
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(await json.json()).toEqual({ operation: 'ota' });

    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(FIRMWARE.length));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('answers an altered URL 403 with an S3 XML error, and a missing object 404 after a valid signature', async () => {
    const url = files().presign('fw-bucket', 'releases/fw v2.bin', 600);
    const altered = await fetch(url.replace('X-Amz-Expires=600', 'X-Amz-Expires=3600'));
    expect(altered.status).toBe(403);
    expect(altered.headers.get('content-type')).toBe('application/xml');
    expect(await altered.text()).toMatch(/<Error><Code>SignatureDoesNotMatch<\/Code><Message>The request signature we calculated does not match the signature you provided.<\/Message>/);
    expect(await statusOf(url.replace('fw%20v2.bin', 'fw%20v3.bin'))).toBe(403);
    expect(await statusOf(`${s.http}/_acfleet/files/fw-bucket/releases/fw%20v2.bin`)).toBe(403);

    const noKey = await fetch(files().presign('fw-bucket', 'releases/none.bin', 600));
    expect(noKey.status).toBe(404);
    expect(await noKey.text()).toContain('<Code>NoSuchKey</Code>');
    const noBucket = await fetch(files().presign('no-bucket', 'x.bin', 600));
    expect(noBucket.status).toBe(404);
    expect(await noBucket.text()).toContain('<Code>NoSuchBucket</Code>');
    expect(await statusOf(files().presign('fw-bucket', 'releases', 600))).toBe(404);
  });

  it('answers an expired URL 403 (the route on a clock the test controls)', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const host = new FileHost({ directory: filesDir, db: openStore(':memory:'), clock });
    const app = Fastify({ logger: false, forceCloseConnections: true });
    registerFiles(app, host);
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const address = app.server.address();
      host.setBaseUrl(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
      const url = host.presign('fw-bucket', 'job.json', 60);
      expect(await statusOf(url)).toBe(200);
      clock.advance(60_000);
      expect(await statusOf(url)).toBe(200);
      clock.advance(1_000);
      const expired = await fetch(url);
      expect(expired.status).toBe(403);
      expect(await expired.text()).toContain('<Code>AccessDenied</Code><Message>Request has expired</Message>');
    } finally {
      await app.close();
    }
  });
});
