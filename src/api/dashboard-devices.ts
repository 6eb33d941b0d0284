import type { FastifyInstance } from 'fastify';
import type { CloudRuntime } from '../cloud/runtime.js';

/** Placeholder: GET /_acfleet/devices/:thing (the device page's data) lands here. */
export function registerDashboardDevices(_app: FastifyInstance, _cloud: CloudRuntime): void {}
