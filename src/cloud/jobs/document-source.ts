/**
 * CreateJob's `documentSource` (spec §3.3, §7): read once, at creation. AWS accepts only S3 URLs;
 * the emulator also takes a local path, a `file://` URL or any http(s) URL, and serves S3 URLs
 * from a local bucket directory (`<bucketsDir>/<bucket>/<key>`) when it holds the object, so the
 * workshop's `job_config.json` upload works without AWS.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { err, ok, type Result } from '../../core/result.js';
import { invalidRequest, type ControlPlaneError } from '../control-plane-error.js';
import { JOB_DOCUMENT_MAX_BYTES } from './job-request.js';

const FETCH_TIMEOUT_MS = 10_000;

export interface DocumentSourceOptions {
  /** Directory holding `<bucket>/<key>` for S3 URLs; undefined: S3 URLs are fetched like any URL. */
  bucketsDir?: string | undefined;
}

/** `https://bucket.s3[.-]region.amazonaws.com/key` or path style `https://s3[.-]region.amazonaws.com/bucket/key`. */
export function parseS3Url(source: string): { bucket: string; key: string } | undefined {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname.slice(1));
  } catch {
    // A stray `%` names no object.
    return undefined;
  }
  const virtual = /^(.+)\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com$/.exec(url.hostname);
  if (virtual?.[1] && path !== '') return { bucket: virtual[1], key: path };
  if (/^s3[.-]([a-z0-9-]+\.)?amazonaws\.com$/.test(url.hostname) || url.hostname === 's3.amazonaws.com') {
    const slash = path.indexOf('/');
    if (slash > 0 && slash < path.length - 1) return { bucket: path.slice(0, slash), key: path.slice(slash + 1) };
  }
  return undefined;
}

export async function loadDocumentSource(source: string, opts: DocumentSourceOptions): Promise<Result<string, ControlPlaneError>> {
  const s3 = parseS3Url(source);
  if (s3 && opts.bucketsDir !== undefined) {
    const root = resolve(opts.bucketsDir);
    const file = resolve(join(root, s3.bucket, s3.key));
    // A key of `../..` must not read outside the bucket directory.
    if (!file.startsWith(root + sep)) return err(invalidRequest(`documentSource ${source} names an object outside the bucket`));
    const local = await readLocal(file);
    if (local.ok || local.error.code !== 'ResourceNotFound') return local;
  }
  if (/^https?:\/\//i.test(source)) return fetchDocument(source);
  const path = source.startsWith('file:') ? safeFileUrl(source) : source;
  if (path === undefined) return err(invalidRequest(`documentSource ${source} is not a valid file URL`));
  return readLocal(resolve(path));
}

async function readLocal(path: string): Promise<Result<string, ControlPlaneError>> {
  try {
    const buf = await readFile(path);
    return checkSize(buf, path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') return err({ code: 'ResourceNotFound', message: `The job document ${path} does not exist` });
    return err(invalidRequest(`Cannot read the job document ${path}: ${(e as Error).message}`));
  }
}

async function fetchDocument(url: string): Promise<Result<string, ControlPlaneError>> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow' });
    if (!res.ok) return err(invalidRequest(`Cannot fetch the job document ${url}: HTTP ${res.status}`));
    return checkSize(Buffer.from(await res.arrayBuffer()), url);
  } catch (e) {
    return err(invalidRequest(`Cannot fetch the job document ${url}: ${(e as Error).message}`));
  }
}

function checkSize(buf: Buffer, where: string): Result<string, ControlPlaneError> {
  // Checked before decoding too: a huge file must not be turned into a string first.
  if (buf.length > JOB_DOCUMENT_MAX_BYTES) return err(invalidRequest(`The job document ${where} is ${buf.length} bytes; the maximum is ${JOB_DOCUMENT_MAX_BYTES}`));
  return ok(buf.toString('utf8'));
}

function safeFileUrl(source: string): string | undefined {
  try {
    return fileURLToPath(source);
  } catch {
    return undefined;
  }
}
