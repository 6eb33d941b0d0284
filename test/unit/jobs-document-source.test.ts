import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDocumentSource, parseS3Url } from '../../src/cloud/jobs/document-source.js';

const dir = mkdtempSync(join(tmpdir(), 'acfleet-docs-'));
const buckets = join(dir, 's3');
const DOC = '{"tempUnit":"celsius","ledColor":"green"}';
mkdirSync(join(buckets, 'workshop-iotbucket-abc'), { recursive: true });
writeFileSync(join(buckets, 'workshop-iotbucket-abc', 'job_config.json'), DOC);
writeFileSync(join(dir, 'job.json'), DOC);
writeFileSync(join(dir, 'huge.json'), `{"x":"${'a'.repeat(40_000)}"}`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('documentSource', () => {
  it('reads S3 URLs, virtual-hosted and path style, from the local bucket directory (the README workshop upload)', async () => {
    expect(parseS3Url('https://workshop-iotbucket-abc.s3.us-east-1.amazonaws.com/job_config.json')).toEqual({ bucket: 'workshop-iotbucket-abc', key: 'job_config.json' });
    expect(parseS3Url('https://s3.amazonaws.com/workshop-iotbucket-abc/dir/job_config.json')).toEqual({ bucket: 'workshop-iotbucket-abc', key: 'dir/job_config.json' });
    expect(parseS3Url('https://b.s3.amazonaws.com/%E0')).toBeUndefined();
    expect(parseS3Url('https://example.com/job.json')).toBeUndefined();
    for (const url of ['https://workshop-iotbucket-abc.s3.amazonaws.com/job_config.json', 'https://s3.us-east-1.amazonaws.com/workshop-iotbucket-abc/job_config.json']) {
      expect(await loadDocumentSource(url, { bucketsDir: buckets })).toEqual({ ok: true, value: DOC });
    }
  });

  it('reads a local path or file:// URL', async () => {
    expect(await loadDocumentSource(join(dir, 'job.json'), {})).toEqual({ ok: true, value: DOC });
    expect(await loadDocumentSource(pathToFileURL(join(dir, 'job.json')).href, {})).toEqual({ ok: true, value: DOC });
  });

  it('refuses a key that climbs out of the bucket, a missing object and an oversized document', async () => {
    expect(await loadDocumentSource('https://s3.amazonaws.com/workshop-iotbucket-abc/..%2F..%2Fjob.json', { bucketsDir: buckets })).toMatchObject({ ok: false, error: { code: 'InvalidRequest' } });
    expect(await loadDocumentSource(join(dir, 'missing.json'), {})).toMatchObject({ ok: false, error: { code: 'ResourceNotFound' } });
    expect(await loadDocumentSource(join(dir, 'huge.json'), {})).toMatchObject({ ok: false, error: { code: 'InvalidRequest', message: expect.stringContaining('32768') } });
  });
});
