/**
 * The dashboard page as the cloud serves it (issue 7): `/` and its bundled assets, with nothing
 * fetched from elsewhere (the page must work with no internet), and a clear notice when unbuilt.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDashboard } from '../../src/api/dashboard.js';
import { startJobsStack, type JobsStack } from '../helpers/jobs-stack.js';

let s: JobsStack;
beforeAll(async () => {
  s = await startJobsStack({ alpha: 1, beta: 1 });
});
afterAll(async () => {
  await s?.close();
});

describe('the dashboard page', () => {
  it('serves the page at / and every asset it names from the cloud itself', async () => {
    const res = await fetch(`${s.http}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '').filter((u) => !u.startsWith('data:'));
    expect(assets.sort()).toEqual(['/_acfleet/dashboard/app.css', '/_acfleet/dashboard/app.js']);
    for (const asset of assets) {
      const a = await fetch(`${s.http}${asset}`);
      expect(a.status, asset).toBe(200);
      const body = await a.text();
      expect(body.length).toBeGreaterThan(1000);
      // No CDN, no web fonts, no map tiles: a workshop room may have no internet.
      expect(body).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\.(?:com|net|org|io)\/[^"'\s)]*\.(?:js|css|woff2?|png|json)/i);
    }
    expect((await fetch(`${s.http}/_acfleet/dashboard/app.js`)).headers.get('content-type')).toContain('text/javascript');
  });

  it('answers 404 for a file it does not have, and 503 with the fix when the page is not built', async () => {
    expect((await fetch(`${s.http}/_acfleet/dashboard/nope.js`)).status).toBe(404);
    const app = Fastify();
    registerDashboard(app, join(mkdtempSync(join(tmpdir(), 'acfleet-no-dashboard-')), 'missing'));
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
    await app.close();
  });
});
