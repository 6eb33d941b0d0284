import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { epochSeconds } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { CloudRuntime } from '../cloud/runtime.js';
import { sendAwsError } from './aws/errors.js';
import { registerIotData } from './aws/iot-data.js';
import { registerIotJobTemplates } from './aws/iot-job-templates.js';
import { registerIotJobs } from './aws/iot-jobs.js';
import { registerIotJobsData } from './aws/iot-jobs-data.js';
import { registerIotRegistry } from './aws/iot-registry.js';
import { acceptRawBodies } from './aws/rest-json.js';
import { awsServiceConstraint } from './aws/service-routing.js';
import { registerDashboard } from './dashboard.js';
import { registerDashboardDevices } from './dashboard-devices.js';
import { registerDashboardJobs } from './dashboard-jobs.js';
import { registerFaults } from './faults.js';
import { registerFiles } from './files.js';
import { registerLiveFeed } from './live.js';
import { createMetrics } from './metrics.js';

export interface ApiServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** The cloud's HTTP port: AWS REST routes, MQTT over WebSocket at /mqtt, and /_acfleet routes. */
export async function startApiServer(cloud: CloudRuntime, host: string, port: number, log: Logger): Promise<ApiServer> {
  // Request logging off: a fleet's worth of requests would drown the log. Failures are logged below.
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024, routerOptions: { constraints: { awsService: awsServiceConstraint } } });
  // Every AWS response carries a request id; SDKs surface it in errors and retries.
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-amzn-RequestId', randomUUID());
  });

  app.get('/_acfleet/health', async () => ({ status: 'ok', devices: { total: cloud.thingCount, online: cloud.onlineDevices } }));
  registerLiveFeed(app, cloud.view);
  registerDashboard(app);
  registerDashboardDevices(app, cloud);
  registerDashboardJobs(app, cloud);
  app.get('/_acfleet/clock', async () => ({ ...cloud.clockEpoch, now: cloud.clock.now() }));
  registerFaults(app, cloud.faults);
  const metrics = createMetrics(cloud);
  app.get('/metrics', async (_req, reply) => reply.header('content-type', metrics.contentType).send(await metrics.metrics()));

  // Its own plugin scope: iot-data takes raw bodies, which must not change how other routes parse JSON.
  await app.register(async (scope) =>
    registerIotData(scope, {
      shadow: cloud.shadow,
      namedShadows: (thing) => cloud.shadowStore.namedShadows(thing),
      nowSec: () => epochSeconds(cloud.clock),
      publish: (topic, payload, qos, retain) => cloud.publishAsOperator(topic, payload, qos, retain),
    }),
  );

  const nowSec = (): number => epochSeconds(cloud.clock);
  await app.register(async (scope) => {
    acceptRawBodies(scope);
    registerIotRegistry(scope, { registry: cloud.registry, events: cloud.events, nowSec, mqttHost: new URL(cloud.mqttUrl).hostname });
    registerIotJobs(scope, cloud.jobs);
    if (cloud.jobs.templates) registerIotJobTemplates(scope, cloud.jobs.templates);
    registerIotJobsData(scope, cloud.jobs);
  });

  // The local S3 that presigned URLs in job documents point at.
  if (cloud.jobs.fileHost) registerFiles(app, cloud.jobs.fileHost);

  app.setNotFoundHandler((req, reply) => sendAwsError(reply, 404, 'UnknownOperationException', `No operation matches ${req.method} ${req.url.split('?')[0]}`));
  app.setErrorHandler((error: { statusCode?: number; message: string }, _req, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) log.error({ err: error }, 'HTTP request failed');
    return sendAwsError(reply, status, status === 413 ? 'RequestEntityTooLargeException' : status === 500 ? 'InternalFailureException' : 'InvalidRequestException', error.message);
  });

  app.server.on('upgrade', (req, socket, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/mqtt' && cloud.broker) cloud.broker.handleUpgrade(req, socket, head);
    else socket.destroy();
  });

  await app.listen({ host, port });
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${boundPort}`;
  // Presigned URLs name the port actually bound (0 in fleet.yaml picks a free one).
  cloud.jobs.fileHost?.setBaseUrl(url);
  return { app, url, close: () => app.close() };
}
