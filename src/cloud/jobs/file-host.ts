/**
 * The local stand-in for S3 that presigned job-document URLs point at (spec §7): a directory
 * served as buckets (`<directory>/<bucket>/<key>`) under `/_acfleet/files/<bucket>/<key>` on the
 * cloud's HTTP port, readable only through URLs it signed. The signing key is made once and kept
 * in the state store, so URLs handed out before a restart still work after it.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve, sep } from 'node:path';
import type { Clock } from '../../core/clock.js';
import { err, ok, type Result } from '../../core/result.js';
import type { Db } from '../store/sqlite.js';
import { PresignedUrlSigner, type PresignedUrlRejection, type QueryParams } from './presigned-urls.js';

export const FILES_ROUTE_PREFIX = '/_acfleet/files';
/** presignedUrlConfig.expiresInSec's default (spec §3.3, §4.7: 60–3600). */
export const DEFAULT_PRESIGNED_EXPIRES_SEC = 3600;
/** The `settings` row holding the signing key (hex). */
export const SIGNING_KEY_SETTING = 'files.signingKey';
const SIGNING_KEY_BYTES = 32;

export interface FileHostOptions {
  /** The directory whose subdirectories are the buckets. */
  directory: string;
  /** Holds the signing key (`settings` table). */
  db: Db;
  clock: Clock;
  /** Where the HTTP server is reached, until it says where it listens (`setBaseUrl`). */
  baseUrl?: string;
}

export interface S3ObjectName {
  bucket: string;
  key: string;
}

/** Why a request for a file is refused, as S3 says it. */
export interface FileRejection {
  status: 400 | 403;
  code: string;
  message: string;
}

export class FileHost {
  readonly directory: string;
  private base: string;
  private readonly signer: PresignedUrlSigner;

  constructor(o: FileHostOptions) {
    this.directory = resolve(o.directory);
    this.base = trimSlash(o.baseUrl ?? 'http://127.0.0.1:8080');
    this.signer = new PresignedUrlSigner(signingKey(o.db), o.clock);
  }

  /** Called by the HTTP server once it listens: URLs signed from then on point there. */
  setBaseUrl(url: string): void {
    this.base = trimSlash(url);
  }

  get baseUrl(): string {
    return this.base;
  }

  /** A URL that lets anyone GET `bucket/key` for `expiresInSec` (simulated) seconds from now. */
  presign(bucket: string, key: string, expiresInSec: number = DEFAULT_PRESIGNED_EXPIRES_SEC): string {
    return `${this.base}${FILES_ROUTE_PREFIX}${objectUrlPath({ bucket, key })}?${this.signer.query(resourceOf({ bucket, key }), expiresInSec)}`;
  }

  /**
   * The file a request (path below the route prefix, still percent-encoded, and its query) may
   * read: its signature must hold and its names stay inside the directory. The file itself may
   * still be missing.
   */
  authorize(method: string, rawPath: string, query: QueryParams): Result<{ object: S3ObjectName; file: string }, FileRejection> {
    const object = parseObjectUrlPath(rawPath);
    if (!object) return err({ status: 400, code: 'InvalidURI', message: "Couldn't parse the specified URI." });
    const verified = this.signer.verify(method, resourceOf(object), query);
    if (!verified.ok) return err(forbidden(verified.error));
    const file = this.fileOf(object);
    if (file === undefined) return err({ status: 403, code: 'AccessDenied', message: 'The object name is not allowed here' });
    return ok({ object, file });
  }

  /** `<directory>/<bucket>/<key>`, or undefined when the names would reach outside the bucket (`..`, `/` in a bucket, NUL). */
  fileOf(o: S3ObjectName): string | undefined {
    if (!isSafeName(o.bucket) || o.key === '' || o.key.split('/').some((segment) => !isSafeSegment(segment))) return undefined;
    const bucketDir = resolve(join(this.directory, o.bucket));
    const file = resolve(join(bucketDir, o.key));
    // Belt and braces: the checks above already rule out climbing out.
    const root = this.directory.endsWith(sep) ? this.directory : this.directory + sep;
    return bucketDir.startsWith(root) && file.startsWith(bucketDir + sep) ? file : undefined;
  }

  /** `<directory>/<bucket>`, for telling a missing bucket from a missing key. */
  bucketDir(bucket: string): string | undefined {
    return isSafeName(bucket) ? join(this.directory, bucket) : undefined;
  }
}

/** `/<bucket>/<key>` percent-encoded per segment; `/` inside the key stays a separator, as S3 keys look in URLs. */
export const objectUrlPath = (o: S3ObjectName): string => `/${encodeURIComponent(o.bucket)}/${o.key.split('/').map(encodeURIComponent).join('/')}`;

/** The inverse of `objectUrlPath` for a raw request path (`/bucket/k%20ey`); undefined when malformed. */
export function parseObjectUrlPath(rawPath: string): S3ObjectName | undefined {
  const m = /^\/([^/]+)\/(.+)$/.exec(rawPath);
  if (!m) return undefined;
  try {
    return { bucket: decodeURIComponent(m[1] as string), key: (m[2] as string).split('/').map(decodeURIComponent).join('/') };
  } catch {
    // A stray `%`.
    return undefined;
  }
}

/** What a signature covers: the decoded object, so equivalent encodings of one URL verify alike. */
const resourceOf = (o: S3ObjectName): string => `/${o.bucket}/${o.key}`;

const isSafeSegment = (s: string): boolean => s !== '.' && s !== '..' && !s.includes('\0') && !s.includes('\\');
const isSafeName = (s: string): boolean => s !== '' && !s.includes('/') && isSafeSegment(s);

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

function forbidden(r: PresignedUrlRejection): FileRejection {
  return { status: 403, code: r.code, message: r.message };
}

/** The stored key, made (and stored) on first use; a damaged one is replaced, which only voids old URLs. */
function signingKey(db: Db): Buffer {
  const read = (): string | undefined => (db.prepare(`SELECT value FROM settings WHERE key = ?`).get(SIGNING_KEY_SETTING) as { value: string } | undefined)?.value;
  const stored = read();
  if (stored !== undefined && new RegExp(`^[0-9a-f]{${2 * SIGNING_KEY_BYTES}}$`).test(stored)) return Buffer.from(stored, 'hex');
  const fresh = randomBytes(SIGNING_KEY_BYTES).toString('hex');
  db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(SIGNING_KEY_SETTING, fresh);
  return Buffer.from(fresh, 'hex');
}
