/** Thing registry, endpoint and event-configuration routes of service `iot` (spec §3.5). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { invalidRequest, type ControlPlaneError } from '../../cloud/control-plane-error.js';
import { EVENT_TYPES, type EventSettings } from '../../cloud/event-configurations.js';
import { parseRegistryArn } from '../../cloud/registry/arns.js';
import type { Registry } from '../../cloud/registry/registry.js';
import type { Result } from '../../core/result.js';
import { jsonRoute, jsonRouteWith, pathParam, queryBool, queryFilters, queryInt, queryPage, queryString } from './rest-json.js';

export interface IotRegistryDeps {
  registry: Registry;
  events: EventSettings;
  nowSec(): number;
  /** Host names DescribeEndpoint gives out: the MQTT broker's and this HTTP server's. */
  mqttHost: string;
}

const attributes = z.record(z.string(), z.string());
const attributePayload = z.object({ attributes: attributes.optional(), merge: z.boolean().optional() }).optional();
const createThingBody = z.object({ thingTypeName: z.string().optional(), attributePayload, billingGroupName: z.string().optional() });
const updateThingBody = z.object({ thingTypeName: z.string().optional(), removeThingType: z.boolean().optional(), attributePayload, expectedVersion: z.number().int().optional() });
const createGroupBody = z.object({
  parentGroupName: z.string().optional(),
  thingGroupProperties: z.object({ thingGroupDescription: z.string().optional(), attributePayload }).optional(),
  tags: z.array(z.object({ Key: z.string(), Value: z.string().optional() })).optional(),
});
const membershipBody = z.object({
  thingGroupName: z.string().optional(),
  thingGroupArn: z.string().optional(),
  thingName: z.string().optional(),
  thingArn: z.string().optional(),
  overrideDynamicGroups: z.boolean().optional(),
});
const eventConfigBody = z.object({ eventConfigurations: z.partialRecord(z.enum(EVENT_TYPES), z.object({ Enabled: z.boolean() })).optional() });

/** `thingGroupName` or the name in `thingGroupArn` (and the same for things). */
function nameOf(name: string | undefined, arn: string | undefined, kind: 'thing' | 'thinggroup'): string | undefined {
  if (name !== undefined) return name;
  const parsed = arn === undefined ? undefined : parseRegistryArn(arn);
  return parsed?.kind === kind ? parsed.name : undefined;
}

/** DeleteThing / DeleteThingGroup: the name from the path, `expectedVersion` from the query, `{}` out. */
const deleteWithVersion = (label: string, remove: (name: string, expectedVersion: number | undefined) => Result<void, ControlPlaneError>) =>
  jsonRoute((req) => {
    const v = queryInt(req.query, 'expectedVersion');
    if (!v.ok) return v;
    const r = remove(pathParam(req, label), v.value);
    return r.ok ? { ok: true, value: {} } : r;
  });

export function registerIotRegistry(app: FastifyInstance, d: IotRegistryDeps): void {
  const { registry } = d;
  app.post(
    '/things/:thingName',
    jsonRouteWith(createThingBody, (req, b) =>
      registry.createThing(pathParam(req, 'thingName'), { ...(b.thingTypeName !== undefined ? { thingTypeName: b.thingTypeName } : {}), ...(b.attributePayload?.attributes ? { attributes: b.attributePayload.attributes } : {}) }, d.nowSec()),
    ),
  );
  app.get('/things/:thingName', jsonRoute((req) => registry.describeThing(pathParam(req, 'thingName'))));
  app.get(
    '/things',
    jsonRoute((req) => {
      const page = queryPage(req.query);
      if (!page.ok) return page;
      return registry.listThings({ ...page.value, ...queryFilters(req.query, ['attributeName', 'attributeValue', 'thingTypeName']) });
    }),
  );
  app.patch(
    '/things/:thingName',
    jsonRouteWith(updateThingBody, (req, b) => {
      const r = registry.updateThing(
        pathParam(req, 'thingName'),
        {
          ...(b.attributePayload?.attributes ? { attributes: b.attributePayload.attributes, merge: b.attributePayload.merge === true } : {}),
          ...(b.thingTypeName !== undefined ? { thingTypeName: b.thingTypeName } : {}),
          ...(b.removeThingType ? { removeThingType: true } : {}),
          ...(b.expectedVersion !== undefined ? { expectedVersion: b.expectedVersion } : {}),
        },
        d.nowSec(),
      );
      return r.ok ? { ok: true, value: {} } : r;
    }),
  );
  app.delete('/things/:thingName', deleteWithVersion('thingName', (name, v) => registry.deleteThing(name, v)));
  app.get(
    '/things/:thingName/thing-groups',
    jsonRoute((req) => {
      const page = queryPage(req.query);
      return page.ok ? registry.listThingGroupsForThing(pathParam(req, 'thingName'), page.value) : page;
    }),
  );

  app.post(
    '/thing-groups/:thingGroupName',
    jsonRouteWith(createGroupBody, (req, b) => {
      const props = b.thingGroupProperties;
      return registry.createThingGroup(
        pathParam(req, 'thingGroupName'),
        {
          ...(b.parentGroupName !== undefined ? { parentGroupName: b.parentGroupName } : {}),
          ...(props?.thingGroupDescription !== undefined ? { description: props.thingGroupDescription } : {}),
          ...(props?.attributePayload?.attributes ? { attributes: props.attributePayload.attributes } : {}),
        },
        d.nowSec(),
      );
    }),
  );
  app.get('/thing-groups/:thingGroupName', jsonRoute((req) => registry.describeThingGroup(pathParam(req, 'thingGroupName'))));
  app.delete('/thing-groups/:thingGroupName', deleteWithVersion('thingGroupName', (name, v) => registry.deleteThingGroup(name, v)));
  app.get(
    '/thing-groups',
    jsonRoute((req) => {
      const page = queryPage(req.query);
      if (!page.ok) return page;
      const parentGroup = queryString(req.query, 'parentGroup');
      const namePrefixFilter = queryString(req.query, 'namePrefixFilter');
      const recursiveRaw = queryString(req.query, 'recursive');
      const recursive = queryBool(req.query, 'recursive');
      if (!recursive.ok) return recursive;
      return registry.listThingGroups({
        ...page.value,
        ...(parentGroup !== undefined ? { parentGroup } : {}),
        ...(namePrefixFilter !== undefined ? { namePrefixFilter } : {}),
        ...(recursiveRaw !== undefined ? { recursive: recursive.value } : {}),
      });
    }),
  );
  app.get(
    '/thing-groups/:thingGroupName/things',
    jsonRoute((req) => {
      const page = queryPage(req.query);
      if (!page.ok) return page;
      const recursive = queryBool(req.query, 'recursive');
      return recursive.ok ? registry.listThingsInThingGroup(pathParam(req, 'thingGroupName'), { ...page.value, recursive: recursive.value }) : recursive;
    }),
  );
  const membership = (add: boolean) =>
    jsonRouteWith(membershipBody, (_req, b) => {
      const group = nameOf(b.thingGroupName, b.thingGroupArn, 'thinggroup');
      const thing = nameOf(b.thingName, b.thingArn, 'thing');
      if (group === undefined) return { ok: false, error: invalidRequest('Specify thingGroupName or thingGroupArn') };
      if (thing === undefined) return { ok: false, error: invalidRequest('Specify thingName or thingArn') };
      const r = add ? registry.addThingToThingGroup(group, thing) : registry.removeThingFromThingGroup(group, thing);
      return r.ok ? { ok: true, value: {} } : r;
    });
  app.put('/thing-groups/addThingToThingGroup', membership(true));
  app.put('/thing-groups/removeThingFromThingGroup', membership(false));

  app.get(
    '/endpoint',
    jsonRoute((req) => {
      const type = queryString(req.query, 'endpointType') ?? 'iot:Data';
      const httpHost = (req.headers.host ?? '127.0.0.1').replace(/:\d+$/, '');
      if (type === 'iot:Data' || type === 'iot:Data-ATS') return { ok: true, value: { endpointAddress: d.mqttHost } };
      if (type === 'iot:Jobs' || type === 'iot:CredentialProvider') return { ok: true, value: { endpointAddress: httpHost } };
      return { ok: false, error: invalidRequest(`Invalid endpointType: ${type}`) };
    }),
  );
  app.get('/event-configurations', jsonRoute(() => ({ ok: true, value: d.events.describe() })));
  app.patch(
    '/event-configurations',
    jsonRouteWith(eventConfigBody, (_req, b) => {
      d.events.update(b.eventConfigurations ?? {}, d.nowSec());
      return { ok: true, value: {} };
    }),
  );
}
