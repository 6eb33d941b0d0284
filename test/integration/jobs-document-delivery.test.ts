/**
 * Documents on their way to devices (issue 5 §6): a job made from a custom template takes its
 * document and settings, one from an AWS managed template its substituted document, and a
 * presigned-URL placeholder reaches the device as a URL on the local file host that downloads
 * the object, while GetJobDocument keeps the placeholder (spec §7, §10 #42).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateJobCommand, CreateJobTemplateCommand, DescribeJobCommand, GetJobDocumentCommand, InvalidRequestException, ResourceNotFoundException } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobsStack, type JobsStack } from '../helpers/jobs-stack.js';

const ACCOUNT_ARN = 'arn:aws:iot:us-east-1:123456789012';
const dir = mkdtempSync(join(tmpdir(), 'acfleet-delivery-'));
const filesDir = join(dir, 's3');
const PAYLOAD = 'firmware 2.0 bytes';
mkdirSync(join(filesDir, 'fw-bucket', 'v2'), { recursive: true });
writeFileSync(join(filesDir, 'fw-bucket', 'v2', 'fw.bin'), PAYLOAD);

let s: JobsStack;
beforeAll(async () => {
  s = await startJobsStack({ alpha: 4, beta: 1, filesDirectory: filesDir });
  // Listening before any job exists: notify-next is sent once, at release.
  for (let i = 1; i <= 4; i++) await s.device(thing(i));
});
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

const thing = (i: number): string => `Alpha-${String(i).padStart(5, '0')}`;

/** The document in the device's notify-next for the job. */
async function deliveredDocument(thingName: string, jobId: string): Promise<Record<string, unknown>> {
  const device = await s.device(thingName);
  const m = await device.waitFor((r) => r.topic === `${device.prefix}/notify-next` && (r.json.execution as { jobId?: string } | undefined)?.jobId === jobId);
  return (m.json.execution as { jobDocument: Record<string, unknown> }).jobDocument;
}

describe('jobs from templates', () => {
  it('takes a custom template\'s document and settings; the request\'s own settings win', async () => {
    await s.iot.send(
      new CreateJobTemplateCommand({
        jobTemplateId: 'paint-it',
        description: 'LEDs go purple',
        document: '{"ledColor":"purple"}',
        timeoutConfig: { inProgressTimeoutInMinutes: 15 },
        jobExecutionsRolloutConfig: { maximumPerMinute: 50 },
      }),
    );
    await s.iot.send(new CreateJobCommand({ jobId: 'from-template', targets: [`${ACCOUNT_ARN}:thing/${thing(1)}`], jobTemplateArn: `${ACCOUNT_ARN}:jobtemplate/paint-it`, timeoutConfig: { inProgressTimeoutInMinutes: 5 } }));
    const { job } = await s.iot.send(new DescribeJobCommand({ jobId: 'from-template' }));
    expect(job).toMatchObject({ jobTemplateArn: `${ACCOUNT_ARN}:jobtemplate/paint-it`, timeoutConfig: { inProgressTimeoutInMinutes: 5 }, jobExecutionsRolloutConfig: { maximumPerMinute: 50 } });
    expect((await s.iot.send(new GetJobDocumentCommand({ jobId: 'from-template' }))).document).toBe('{"ledColor":"purple"}');
    expect(await deliveredDocument(thing(1), 'from-template')).toEqual({ ledColor: 'purple' });
  });

  it('substitutes documentParameters into an AWS managed template', async () => {
    await s.iot.send(
      new CreateJobCommand({
        jobId: 'download',
        targets: [`${ACCOUNT_ARN}:thing/${thing(2)}`],
        jobTemplateArn: 'arn:aws:iot:us-east-1::jobtemplate/AWS-Download-File:1.0',
        documentParameters: { downloadUrl: 'https://example.com/index.html', filePath: 'path/to/file' },
      }),
    );
    const doc = JSON.parse((await s.iot.send(new GetJobDocumentCommand({ jobId: 'download' }))).document ?? '{}') as { steps: { action: { input: { args: string[] } } }[] };
    expect(doc.steps[0]?.action.input.args).toEqual(['https://example.com/index.html', 'path/to/file']);
    expect(await deliveredDocument(thing(2), 'download')).toEqual(doc);
  });

  it('refuses a missing required parameter and an unknown template', async () => {
    const missing = s.iot.send(new CreateJobCommand({ jobId: 'no-params', targets: [`${ACCOUNT_ARN}:thing/${thing(3)}`], jobTemplateArn: 'arn:aws:iot:us-east-1::jobtemplate/AWS-Download-File:1.0', documentParameters: { filePath: 'x' } }));
    await expect(missing).rejects.toBeInstanceOf(InvalidRequestException);
    const unknown = s.iot.send(new CreateJobCommand({ jobId: 'no-template', targets: [`${ACCOUNT_ARN}:thing/${thing(3)}`], jobTemplateArn: `${ACCOUNT_ARN}:jobtemplate/nothing-here` }));
    await expect(unknown).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('presigned URLs (spec §7, §10 #42)', () => {
  it('reach the device as a signed URL that downloads the object; GetJobDocument keeps the placeholder', async () => {
    const document = JSON.stringify({ operation: 'download', files: { fileName: 'fw.bin', url: '${aws:iot:s3-presigned-url:https://fw-bucket.s3.amazonaws.com/v2/fw.bin}' } });
    await s.iot.send(new CreateJobCommand({ jobId: 'presigned', targets: [`${ACCOUNT_ARN}:thing/${thing(4)}`], document, presignedUrlConfig: { roleArn: `${ACCOUNT_ARN}:role/s3-access`, expiresInSec: 120 } }));
    expect((await s.iot.send(new GetJobDocumentCommand({ jobId: 'presigned' }))).document).toBe(document);

    const delivered = (await deliveredDocument(thing(4), 'presigned')) as { files: { url: string } };
    const url = new URL(delivered.files.url);
    expect(`${url.protocol}//${url.host}`).toBe(s.http);
    expect(url.pathname).toBe('/_acfleet/files/fw-bucket/v2/fw.bin');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('120');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(PAYLOAD);

    // start-next signs again, and so does the HTTPS device API.
    const device = await s.device(thing(4));
    const started = await device.startNext();
    expect((started.json.execution as { jobDocument: { files: { url: string } } }).jobDocument.files.url).toContain('/_acfleet/files/fw-bucket/v2/fw.bin?');
    const tampered = new URL(url);
    tampered.searchParams.set('X-Amz-Expires', '3600');
    const denied = await fetch(tampered);
    expect(denied.status).toBe(403);
    await denied.arrayBuffer();
  });
});
