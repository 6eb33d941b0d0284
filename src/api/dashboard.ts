/**
 * Serves the dashboard page built into dist/dashboard/ (src/dashboard/build.ts): `/` and its
 * assets under `/_acfleet/dashboard/`. The files are read once; a build made later is picked up
 * by restarting the cloud.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** From dist/api/ and from src/api/ alike: the build always lands in <repo>/dist/dashboard. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>acfleet</title>
<p>The dashboard is not built. Run <code>npm run build</code> (or <code>npm install</code>) and restart.</p>`;

export function registerDashboard(app: FastifyInstance, dir = DASHBOARD_DIR): void {
  const files = new Map<string, Buffer>();
  if (existsSync(dir)) for (const name of readdirSync(dir)) files.set(name, readFileSync(join(dir, name)));
  const index = files.get('index.html');

  app.get('/', async (_req, reply) => {
    reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8');
    return reply.status(index ? 200 : 503).send(index ?? NOT_BUILT);
  });
  app.get<{ Params: { file: string } }>('/_acfleet/dashboard/:file', async (req, reply) => {
    const body = files.get(req.params.file);
    if (!body) return reply.status(404).type('text/plain').send(`no dashboard file ${req.params.file}`);
    return reply.header('cache-control', 'no-cache').type(TYPES[extname(req.params.file)] ?? 'application/octet-stream').send(body);
  });
}
