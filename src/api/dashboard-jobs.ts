import type { FastifyInstance } from 'fastify';
import type { CloudRuntime } from '../cloud/runtime.js';

/** Placeholder: GET /_acfleet/jobs and /_acfleet/jobs/:jobId/progress (the jobs pages' data) land here. */
export function registerDashboardJobs(_app: FastifyInstance, _cloud: CloudRuntime): void {}
