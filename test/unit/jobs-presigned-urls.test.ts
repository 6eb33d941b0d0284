/**
 * Presigned URLs of the local file host (spec §7): valid until `expiresInSec` after signing on the
 * simulated clock, 403 once expired or altered; the signing key survives a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileHost, objectUrlPath, parseObjectUrlPath, SIGNING_KEY_SETTING } from '../../src/cloud/jobs/file-host.js';
import { formatAmzDate, parseAmzDate, PresignedUrlSigner, type QueryParams } from '../../src/cloud/jobs/presigned-urls.js';
import { openStore } from '../../src/cloud/store/sqlite.js';
import { FakeClock } from '../../src/core/clock.js';

const dir = mkdtempSync(join(tmpdir(), 'acfleet-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE = 'http://127.0.0.1:18080';

function host(clock = new FakeClock(), db = openStore(':memory:')) {
  return { clock, db, files: new FileHost({ directory: join(dir, 's3'), db, clock, baseUrl: BASE }) };
}

/** What the HTTP route hands `authorize`: the raw path below the prefix and the decoded query. */
function request(url: string): { path: string; query: Record<string, string | string[]> } {
  // Not through `new URL`: it would resolve `..` segments that the server must see and refuse.
  const [, path = '', search = ''] = /^https?:\/\/[^/]+\/_acfleet\/files(\/[^?]*)\??(.*)$/.exec(url) ?? [];
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(search)) {
    const seen = query[k];
    query[k] = seen === undefined ? v : [...(Array.isArray(seen) ? seen : [seen]), v];
  }
  return { path, query };
}

const check = (files: FileHost, url: string, method = 'GET') => {
  const r = request(url);
  return files.authorize(method, r.path, r.query);
};

/** The URL with one query parameter set to `value`. */
const withParam = (url: string, name: string, value: string): string => {
  const u = new URL(url);
  u.searchParams.set(name, value);
  return u.href;
};

describe('presigned URLs', () => {
  it('are S3-shaped URLs on the file host, signed at the clock’s time', () => {
    const { files, clock } = host();
    const url = new URL(files.presign('fw-bucket', 'releases/v2.bin', 600));
    expect(url.origin).toBe(BASE);
    expect(url.pathname).toBe('/_acfleet/files/fw-bucket/releases/v2.bin');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Date': formatAmzDate(clock.now()),
      'X-Amz-Expires': '600',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(new URL(files.presign('b', 'k')).searchParams.get('X-Amz-Expires')).toBe('3600');
    files.setBaseUrl('http://10.0.0.5:9000/');
    expect(files.presign('b', 'k')).toMatch(/^http:\/\/10\.0\.0\.5:9000\/_acfleet\/files\/b\/k\?/);
  });

  it('are good up to and including their expiry second, and 403 a second later', () => {
    const { files, clock } = host(new FakeClock(Date.UTC(2026, 4, 1, 12, 0, 0)));
    const url = files.presign('fw-bucket', 'v2.bin', 60);
    expect(check(files, url)).toMatchObject({ ok: true, value: { object: { bucket: 'fw-bucket', key: 'v2.bin' }, file: join(dir, 's3', 'fw-bucket', 'v2.bin') } });
    clock.advance(60_000);
    expect(check(files, url).ok).toBe(true);
    clock.advance(1_000);
    expect(check(files, url)).toEqual({ ok: false, error: { status: 403, code: 'AccessDenied', message: 'Request has expired' } });
  });

  it('count from the whole second they were signed in', () => {
    const { files, clock } = host(new FakeClock(Date.UTC(2026, 4, 1, 12, 0, 0) + 900));
    const url = files.presign('b', 'k', 60);
    clock.advance(59_100); // 12:01:00.000 exactly
    expect(check(files, url).ok).toBe(true);
    clock.advance(1);
    expect(check(files, url)).toMatchObject({ ok: false, error: { code: 'AccessDenied' } });
  });

  it.each([
    ['the key', (u: string) => u.replace('/v2.bin?', '/v3.bin?')],
    ['the bucket', (u: string) => u.replace('/fw-bucket/', '/other-bucket/')],
    ['the expiry', (u: string) => withParam(u, 'X-Amz-Expires', '3600')],
    ['the date', (u: string) => withParam(u, 'X-Amz-Date', formatAmzDate(parseAmzDate(new URL(u).searchParams.get('X-Amz-Date') ?? '')! + 1000))],
    ['the signed headers', (u: string) => withParam(u, 'X-Amz-SignedHeaders', 'host;range')],
    ['the signature', (u: string) => withParam(u, 'X-Amz-Signature', '0'.repeat(64))],
    ['the signature’s length', (u: string) => withParam(u, 'X-Amz-Signature', 'abc')],
  ])('are 403 SignatureDoesNotMatch when %s is altered', (_what, alter) => {
    const { files } = host();
    const url = files.presign('fw-bucket', 'v2.bin', 600);
    expect(check(files, alter(url))).toEqual({
      ok: false,
      error: { status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided.' },
    });
  });

  it('are 403 AuthorizationQueryParametersError when parameters are missing, repeated or malformed', () => {
    const { files } = host();
    const url = files.presign('b', 'k', 600);
    const without = (name: string) => {
      const u = new URL(url);
      u.searchParams.delete(name);
      return u.href;
    };
    for (const name of ['X-Amz-Algorithm', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature']) {
      expect(check(files, without(name))).toMatchObject({ ok: false, error: { status: 403, code: 'AuthorizationQueryParametersError' } });
    }
    expect(check(files, `${url}&X-Amz-Signature=${'0'.repeat(64)}`)).toMatchObject({ ok: false, error: { code: 'AuthorizationQueryParametersError', message: expect.stringContaining('repeated') } });
    expect(check(files, withParam(url, 'X-Amz-Algorithm', 'AWS4-HMAC-SHA1'))).toMatchObject({ ok: false, error: { code: 'AuthorizationQueryParametersError' } });
    for (const date of ['2026-01-01T00:00:00Z', '20260230T000000Z', 'now']) {
      expect(check(files, withParam(url, 'X-Amz-Date', date))).toMatchObject({ ok: false, error: { code: 'AuthorizationQueryParametersError', message: expect.stringContaining('X-Amz-Date') } });
    }
    for (const expires of ['0', '-5', '1.5', '604801', 'soon']) {
      expect(check(files, withParam(url, 'X-Amz-Expires', expires))).toMatchObject({ ok: false, error: { code: 'AuthorizationQueryParametersError', message: expect.stringContaining('X-Amz-Expires') } });
    }
    expect(check(files, url.split('?')[0]!)).toMatchObject({ ok: false, error: { code: 'AuthorizationQueryParametersError' } });
  });

  it('are 403 while dated beyond the allowed skew ahead of the clock', () => {
    const db = openStore(':memory:');
    const now = Date.UTC(2026, 0, 1);
    const ahead = new FakeClock(now + 6 * 60_000);
    const { files } = host(new FakeClock(now), db);
    // Signed by a host whose clock is 6 minutes ahead, checked by one on time.
    const future = new FileHost({ directory: dir, db, clock: ahead, baseUrl: BASE }).presign('b', 'k', 3600);
    expect(check(files, future)).toEqual({ ok: false, error: { status: 403, code: 'AccessDenied', message: 'Request is not valid yet' } });
    const nearFuture = new FileHost({ directory: dir, db, clock: new FakeClock(now + 4 * 60_000), baseUrl: BASE }).presign('b', 'k', 3600);
    expect(check(files, nearFuture).ok).toBe(true);
  });

  it('serve HEAD as GET, but no other method', () => {
    const { files } = host();
    const url = files.presign('b', 'k', 600);
    expect(check(files, url, 'HEAD').ok).toBe(true);
    expect(check(files, url, 'PUT')).toMatchObject({ ok: false, error: { code: 'SignatureDoesNotMatch' } });
  });

  it('carry any key, percent-encoded per segment, and verify however the client encodes it', () => {
    const { files } = host();
    const key = 'dir/fw v1+2 %ü😀.bin';
    const url = files.presign('b', key, 600);
    expect(new URL(url).pathname).toBe(`/_acfleet/files${objectUrlPath({ bucket: 'b', key })}`);
    expect(check(files, url)).toMatchObject({ ok: true, value: { object: { bucket: 'b', key } } });
    // `~` and `%7E` name the same object.
    const tilde = files.presign('b', 'a~b', 600);
    expect(check(files, tilde.replace('a~b', 'a%7Eb')).ok).toBe(true);
    expect(parseObjectUrlPath('/b/%E0%A4%A')).toBeUndefined();
    expect(parseObjectUrlPath('/only-bucket')).toBeUndefined();
  });

  it('never reach outside the bucket directory, even when validly signed', () => {
    const { files } = host();
    for (const [bucket, key] of [
      ['b', '../../etc/passwd'],
      ['b', 'a/../../x'],
      ['..', 'x'],
      ['.', 'x'],
      ['b', 'a/./x'],
      ['b', 'x\0y'],
      ['b', 'a\\..\\x'],
    ] as const) {
      expect(files.fileOf({ bucket, key })).toBeUndefined();
      expect(check(files, files.presign(bucket, key, 600))).toMatchObject({ ok: false, error: { status: 403, code: 'AccessDenied' } });
    }
    expect(check(files, `${BASE}/_acfleet/files/b/%2E%2E%2F%2E%2E%2Fx?${new URL(files.presign('b', '../../x', 600)).searchParams}`)).toMatchObject({
      ok: false,
      error: { code: 'AccessDenied' },
    });
    expect(files.fileOf({ bucket: 'b', key: 'a/b/c.json' })).toBe(join(dir, 's3', 'b', 'a', 'b', 'c.json'));
  });

  it('keep working across FileHosts on one store: the key is made once and stored', () => {
    const db = openStore(':memory:');
    const clock = new FakeClock();
    const first = new FileHost({ directory: dir, db, clock });
    const url = first.presign('b', 'k', 600);
    const key = (db.prepare('SELECT value FROM settings WHERE key = ?').get(SIGNING_KEY_SETTING) as { value: string }).value;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const second = new FileHost({ directory: dir, db, clock });
    expect(check(second, url).ok).toBe(true);
    expect((db.prepare('SELECT value FROM settings WHERE key = ?').get(SIGNING_KEY_SETTING) as { value: string }).value).toBe(key);
    // Another store, another key.
    expect(check(new FileHost({ directory: dir, db: openStore(':memory:'), clock }), url)).toMatchObject({ ok: false, error: { code: 'SignatureDoesNotMatch' } });
  });

  it('survive a restart on the same state file', () => {
    const path = join(dir, 'state.db');
    const clock = new FakeClock();
    const before = openStore(path);
    const url = new FileHost({ directory: dir, db: before, clock }).presign('b', 'k', 600);
    before.close();
    const after = openStore(path);
    expect(check(new FileHost({ directory: dir, db: after, clock }), url).ok).toBe(true);
    after.close();
  });

  it('refuse an out-of-range lifetime when signing', () => {
    const signer = new PresignedUrlSigner(Buffer.alloc(32, 1), new FakeClock());
    for (const bad of [0, -1, 1.5, 604_801]) expect(() => signer.query('/b/k', bad)).toThrow(RangeError);
    const q: QueryParams = Object.fromEntries(new URLSearchParams(signer.query('/b/k', 604_800)));
    expect(signer.verify('GET', '/b/k', q).ok).toBe(true);
  });
});

describe('X-Amz-Date', () => {
  it('round-trips whole seconds and refuses impossible dates', () => {
    expect(formatAmzDate(Date.UTC(2026, 1, 28, 23, 59, 59, 999))).toBe('20260228T235959Z');
    expect(parseAmzDate('20260228T235959Z')).toBe(Date.UTC(2026, 1, 28, 23, 59, 59));
    for (const bad of ['20260229T000000Z', '20261301T000000Z', '20260101T240000Z', '20260101T000000', '2026-01-01T00:00:00Z']) expect(parseAmzDate(bad)).toBeUndefined();
  });
});
