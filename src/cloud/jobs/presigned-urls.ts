/**
 * Time-limited URLs for the local file host (spec §7): query strings shaped like S3's SigV4
 * presigned URLs (`X-Amz-Algorithm`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`,
 * `X-Amz-Signature`), so device code written for S3 sees familiar URLs. The signature is the
 * emulator's own: HMAC-SHA256 with a secret over the method, the object and those parameters; it
 * need not be real SigV4, because only this emulator verifies it. Time is the injected clock's.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { err, ok, type Result } from '../../core/result.js';

export const PRESIGN_ALGORITHM = 'AWS4-HMAC-SHA256';
/** SigV4's ceiling for X-Amz-Expires: seven days. */
export const MAX_EXPIRES_SEC = 604_800;
/** A URL dated this far ahead of the clock is still accepted (S3 allows 15 min of clock skew; ours is one clock, so less). */
export const ALLOWED_SKEW_MS = 5 * 60_000;

/** S3's error codes for presigned URLs, all HTTP 403. */
export type PresignedUrlRejectionCode = 'AccessDenied' | 'SignatureDoesNotMatch' | 'AuthorizationQueryParametersError';

export interface PresignedUrlRejection {
  code: PresignedUrlRejectionCode;
  message: string;
}

/** Query parameters as an HTTP framework hands them over: a repeated name gives an array. */
export type QueryParams = Readonly<Record<string, string | readonly string[] | undefined>>;

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** `YYYYMMDDTHHMMSSZ`, whole seconds. */
export function formatAmzDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:]/g, '').replace('.000', '');
}

/** Epoch ms of an `X-Amz-Date`, or undefined unless well formed and a real time (no 20260230). */
export function parseAmzDate(s: string): number | undefined {
  const m = AMZ_DATE.exec(s);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return formatAmzDate(ms) === s ? ms : undefined;
}

const rejected = (code: PresignedUrlRejectionCode, message: string) => err<PresignedUrlRejection>({ code, message });

/**
 * Signs and checks URLs for objects named by their decoded path (`/<bucket>/<key>`). One secret
 * for every URL; a signature binds the object, the signing time and the lifetime.
 */
export class PresignedUrlSigner {
  constructor(
    private readonly secret: Buffer,
    private readonly clock: Clock,
  ) {}

  /** The query string (without `?`) that lets a GET (or HEAD) read `resource` for `expiresInSec` from now. */
  query(resource: string, expiresInSec: number): string {
    if (!Number.isInteger(expiresInSec) || expiresInSec < 1 || expiresInSec > MAX_EXPIRES_SEC) {
      throw new RangeError(`expiresInSec must be an integer from 1 to ${MAX_EXPIRES_SEC}, got ${expiresInSec}`);
    }
    const date = formatAmzDate(this.clock.now());
    const signed = signedParams(date, expiresInSec);
    return `${signed}&X-Amz-Signature=${this.signature('GET', resource, date, signed)}`;
  }

  /**
   * Whether the request may read `resource`: parameters well formed, signature matching, and the
   * clock within [date − skew, date + expires] (so a URL is still good at exactly its expiry).
   */
  verify(method: string, resource: string, query: QueryParams): Result<{ expiresAtMs: number }, PresignedUrlRejection> {
    const params = readParams(query);
    if (!params.ok) return params;
    const { algorithm, date, expires, signedHeaders, signature } = params.value;
    if (algorithm !== PRESIGN_ALGORITHM) return rejected('AuthorizationQueryParametersError', `X-Amz-Algorithm only supports "${PRESIGN_ALGORITHM}"`);
    const signedAt = parseAmzDate(date);
    if (signedAt === undefined) return rejected('AuthorizationQueryParametersError', `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
    if (!/^\d{1,7}$/.test(expires) || Number(expires) < 1 || Number(expires) > MAX_EXPIRES_SEC) {
      return rejected('AuthorizationQueryParametersError', `X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_EXPIRES_SEC}`);
    }
    // HEAD reads what GET would; the URL is signed for GET.
    const verb = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    const expected = this.signature(verb, resource, date, `X-Amz-Algorithm=${algorithm}&X-Amz-Date=${date}&X-Amz-Expires=${expires}&X-Amz-SignedHeaders=${signedHeaders}`);
    // Hex of the right length first: timingSafeEqual compares equal-length buffers only.
    if (!/^[0-9a-f]{64}$/.test(signature) || !timingSafeEqual(Buffer.from(signature, 'hex'), Buffer.from(expected, 'hex'))) {
      return rejected('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    }
    const now = this.clock.now();
    const expiresAtMs = signedAt + Number(expires) * 1000;
    if (now < signedAt - ALLOWED_SKEW_MS) return rejected('AccessDenied', 'Request is not valid yet');
    if (now > expiresAtMs) return rejected('AccessDenied', 'Request has expired');
    return ok({ expiresAtMs });
  }

  private signature(method: string, resource: string, date: string, signedQuery: string): string {
    // The resource percent-encoded per segment: no newline of a key can blur the lines below.
    const canonicalResource = resource.split('/').map(encodeURIComponent).join('/');
    const stringToSign = [PRESIGN_ALGORITHM, date, method, canonicalResource, signedQuery].join('\n');
    return createHmac('sha256', this.secret).update(stringToSign, 'utf8').digest('hex');
  }
}

/** The signed parameters in their one canonical order (the signature is appended after them). */
const signedParams = (date: string, expiresInSec: number): string =>
  `X-Amz-Algorithm=${PRESIGN_ALGORITHM}&X-Amz-Date=${date}&X-Amz-Expires=${expiresInSec}&X-Amz-SignedHeaders=host`;

const PARAM_NAMES = {
  algorithm: 'X-Amz-Algorithm',
  date: 'X-Amz-Date',
  expires: 'X-Amz-Expires',
  signedHeaders: 'X-Amz-SignedHeaders',
  signature: 'X-Amz-Signature',
} as const;

type AuthParams = Record<keyof typeof PARAM_NAMES, string>;

/** The five authentication parameters, each present exactly once. */
function readParams(query: QueryParams): Result<AuthParams, PresignedUrlRejection> {
  const out: Partial<AuthParams> = {};
  for (const [field, name] of Object.entries(PARAM_NAMES) as [keyof AuthParams, string][]) {
    const v = query[name];
    // A repeated parameter is ambiguous: which one was signed?
    if (Array.isArray(v)) return rejected('AuthorizationQueryParametersError', `Query-string authentication parameter ${name} must not be repeated.`);
    if (typeof v !== 'string') {
      return rejected(
        'AuthorizationQueryParametersError',
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
      );
    }
    out[field] = v;
  }
  return ok(out as AuthParams);
}
