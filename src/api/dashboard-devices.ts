/**
 * `GET /_acfleet/devices/:thing`: the device page's data (issue 7) in one request — the device as
 * the fleet view has it, its recent telemetry, its registry record and its job executions with
 * their status history. The shadow is not here: the page reads it through iot-data, as the CLI would.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { JobExecution } from '../cloud/jobs/executions.js';
import { isTerminal } from '../cloud/jobs/executions.js';
import { executionSummary } from '../cloud/jobs/notifications.js';
import type { CloudRuntime } from '../cloud/runtime.js';
import { sendAwsError } from './aws/errors.js';
import type { DeviceDetail, DeviceExecution, DeviceThing, StatusStep } from './dashboard-device-types.js';

const Params = z.object({ thing: z.string().min(1).max(128) });

export function registerDashboardDevices(app: FastifyInstance, cloud: CloudRuntime): void {
  app.get('/_acfleet/devices/:thing', async (req, reply) => {
    const params = Params.safeParse(req.params);
    if (!params.success) return sendAwsError(reply, 400, 'InvalidRequestException', 'thing must be 1 to 128 characters');
    const name = params.data.thing;
    const thing = registryRecord(cloud, name);
    const device = cloud.view.get(name);
    if (!thing && !device) return sendAwsError(reply, 404, 'ResourceNotFoundException', `Thing ${name} cannot be found.`);
    const detail: DeviceDetail = {
      device: device ?? { thing: name, online: false },
      ...(thing ? { thing } : {}),
      telemetry: cloud.view.history.series(name),
      executions: cloud.jobs.store.executionsOf(name).map(executionOf).reverse(),
    };
    return reply.header('cache-control', 'no-store').send(detail);
  });
}

function registryRecord(cloud: CloudRuntime, name: string): DeviceThing | undefined {
  const described = cloud.registry.describeThing(name);
  if (!described.ok) return undefined;
  const d = described.value;
  // A thing belongs to at most 10 groups (REGISTRY_LIMITS.groupsPerThing): one page holds them.
  const groups = cloud.registry.listThingGroupsForThing(name, { maxResults: 250 });
  return {
    thingName: d.thingName,
    thingArn: d.thingArn,
    ...(d.thingTypeName !== undefined ? { thingTypeName: d.thingTypeName } : {}),
    attributes: d.attributes,
    version: d.version,
    groups: groups.ok ? groups.value.thingGroups.map((g) => g.groupName) : [],
  };
}

function executionOf(e: JobExecution): DeviceExecution {
  return { ...executionSummary(e), status: e.status, statusDetails: { ...e.statusDetails }, retryAttempt: e.retryAttempt, statusHistory: statusHistory(e) };
}

/**
 * The stored timestamps are the whole history: an execution is queued, may start once, and ends
 * once (spec §2); a device's repeated IN_PROGRESS updates change details, not status.
 */
export function statusHistory(e: JobExecution): StatusStep[] {
  const steps: StatusStep[] = [{ status: 'QUEUED', at: e.queuedAt }];
  if (e.startedAt !== undefined) steps.push({ status: 'IN_PROGRESS', at: e.startedAt });
  if (isTerminal(e.status)) steps.push({ status: e.status, at: e.lastUpdatedAt });
  return steps;
}
