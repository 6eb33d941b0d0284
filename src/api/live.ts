/**
 * `GET /_acfleet/live`: the dashboard's feed, as server-sent events. First a `snapshot` event
 * with every device, then `changes` events with the devices that changed, batched by FleetView.
 */
import type { FastifyInstance } from 'fastify';
import type { FleetView } from '../cloud/fleet-view.js';
import type { DeviceChange, DeviceView, LiveChanges, LiveSnapshot } from './dashboard-types.js';

const sse = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

export function registerLiveFeed(app: FastifyInstance, view: FleetView): void {
  const open = new Set<{ end(): void }>();
  // Before the server stops listening: an open stream would otherwise hold close() forever.
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });
  app.get('/_acfleet/live', (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    open.add(res);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const snapshot: LiveSnapshot = { devices: view.snapshot(), cities: view.cities };
    res.write(sse('snapshot', snapshot));
    const stop = view.onChanges((changes: DeviceView[]) => {
      const event: LiveChanges = { devices: changes.map(toChange) };
      res.write(sse('changes', event));
    });
    req.raw.on('close', () => {
      stop();
      open.delete(res);
    });
  });
}

function toChange({ group: _group, city: _city, job, ...rest }: DeviceView): DeviceChange {
  return { ...rest, job: job ?? null };
}
