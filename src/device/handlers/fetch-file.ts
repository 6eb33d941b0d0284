/**
 * Downloading one file for a job: over HTTP(S) with the device's fetch, streamed through the
 * digests (never held whole in memory, since a fleet may download a firmware image per device),
 * checked against the document's checksum when it gives one.
 */
import { createHash, getHashes } from 'node:crypto';
import { err, ok, type Result } from '../../core/result.js';
import type { FetchFn } from '../context.js';
import { isRecord } from '../json.js';

/** What the document says the file's digest is. */
export interface Checksum {
  /** A node:crypto name: sha256, sha1, md5, sha512… */
  algorithm: string;
  /** Lower-case hex. */
  hex: string;
}

export interface FetchedFile {
  bytes: number;
  sha256: string;
}

/** The largest file a thermostat accepts. */
export const MAX_DOWNLOAD_BYTES = 256 * 1024 * 1024;

/** How much of an error response is read for its reason. */
const ERROR_BODY_BYTES = 4096;

/** Simulated time a download may take before the device gives up on it. */
export const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

const HEX = /^[0-9a-fA-F]+$/;

/** An http(s) URL, or the reason it is not one. */
export function checkUrl(url: unknown, field: string): string | undefined {
  if (typeof url !== 'string' || url.length === 0) return `${field} must be a URL`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${field} is not a valid URL`;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? undefined : `${field} must be an http or https URL`;
}

const normalAlgorithm = (name: string): string => name.toLowerCase().replace(/-/g, '');

let hashes: ReadonlySet<string> | undefined;
/** node:crypto's digest names, read once. */
const isHash = (name: string): boolean => (hashes ??= new Set(getHashes())).has(name);

/**
 * The checksum an entry gives, in the forms job documents use: `sha256: "<hex>"`,
 * `checksum: "<hex>"` (SHA-256) or `"<algorithm>:<hex>"`, or the AWS jobs-agent sample's
 * `checksum: {"hashAlgorithm":"SHA256","inline":{"value":"<hex>"}}`.
 */
export function checksumOf(entry: Readonly<Record<string, unknown>>): Result<Checksum | undefined, string> {
  let algorithm = 'sha256';
  let hex: unknown;
  if (entry.sha256 !== undefined) hex = entry.sha256;
  else if (typeof entry.checksum === 'string') {
    const colon = entry.checksum.indexOf(':');
    if (colon >= 0) algorithm = normalAlgorithm(entry.checksum.slice(0, colon));
    hex = colon >= 0 ? entry.checksum.slice(colon + 1) : entry.checksum;
  } else if (isRecord(entry.checksum)) {
    const c = entry.checksum;
    if (typeof c.hashAlgorithm === 'string') algorithm = normalAlgorithm(c.hashAlgorithm);
    hex = isRecord(c.inline) ? c.inline.value : c.value;
  } else if (entry.checksum !== undefined) {
    return err('checksum must be a string or an object');
  } else {
    return ok(undefined);
  }
  if (typeof hex !== 'string' || !HEX.test(hex)) return err('checksum must be a hex digest');
  if (!isHash(algorithm)) return err(`checksum algorithm ${algorithm} is not supported`);
  return ok({ algorithm, hex: hex.toLowerCase() });
}

/**
 * Downloads `url`; an HTTP error, a network failure, a too-large file or a checksum mismatch is
 * the error. Rejects only when `signal` aborted it (nobody waits for the answer then).
 */
export async function fetchFile(fetchFn: FetchFn, url: string, expected: Checksum | undefined, signal: AbortSignal): Promise<Result<FetchedFile, string>> {
  try {
    return await download(fetchFn, url, expected, signal);
  } catch (e) {
    if (signal.aborted) throw e;
    return err(networkReason(e));
  }
}

/** undici's "fetch failed" says little; its cause says what (ECONNREFUSED, a DNS failure…). */
function networkReason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error ? e.cause.message : undefined;
  return cause ? `${e.message}: ${cause}` : e.message;
}

async function download(fetchFn: FetchFn, url: string, expected: Checksum | undefined, signal: AbortSignal): Promise<Result<FetchedFile, string>> {
  const res = await fetchFn(url, { signal });
  if (!res.ok) return err(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${await s3Reason(res)}`);
  const sha256 = createHash('sha256');
  const other = expected && expected.algorithm !== 'sha256' ? createHash(expected.algorithm) : undefined;
  let bytes = 0;
  if (res.body) {
    for await (const chunk of res.body) {
      bytes += chunk.byteLength;
      if (bytes > MAX_DOWNLOAD_BYTES) {
        await res.body.cancel().catch(() => undefined);
        return err(`file larger than ${MAX_DOWNLOAD_BYTES} bytes`);
      }
      sha256.update(chunk);
      other?.update(chunk);
    }
  }
  const digest = sha256.digest('hex');
  if (expected) {
    const got = other ? other.digest('hex') : digest;
    if (got !== expected.hex) return err(`checksum mismatch: expected ${expected.algorithm} ${expected.hex}, got ${got}`);
  }
  return ok({ bytes, sha256: digest });
}

/** `: <Code>: <Message>` from an S3 XML error body (the local file host answers like S3), else nothing. */
async function s3Reason(res: Response): Promise<string> {
  if (!res.body) return '';
  let text = '';
  try {
    for await (const chunk of res.body) {
      text += Buffer.from(chunk).toString('utf8');
      if (text.length >= ERROR_BODY_BYTES) break;
    }
  } catch {
    return '';
  }
  const code = /<Code>([^<]{1,64})<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]{1,256})<\/Message>/.exec(text)?.[1];
  return code ? `: ${code}${message ? `: ${message}` : ''}` : '';
}
