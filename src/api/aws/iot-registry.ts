/** Thing registry, endpoint and event-configuration routes of service `iot` (spec §3.5). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { invalidRequest, type ControlPlaneError } from '../../cloud/control-plane-error.js';
import { EVENT_TYPES, type EventSettings } from '../../cloud/event-configurations.js';
import { parseRegistryArn } from '../../cloud/registry/arns.js';
import type { Registry } from '../../cloud/registry/registry.js';
import type { Result } from '../../core/result.js';
import { jsonBody, queryBool, queryFilters, queryInt, queryPage, queryString, sendControlPlaneError, sendResult } from './rest-json.js';

export interface IotRegistryDeps {
  registry: Registry;
  events: EventSettings;
  nowSec(): number;
  /** Host names DescribeEndpoint gives out: the MQTT broker's and this HTTP server's. */
  mqttHost: string;
}

type Query = Record<string, string | string[] | undefined>;
type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Query; Body: unknown }>;
type Outcome = Result<object, ControlPlaneError>;

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

/** Validates a parsed body; the message names the member, as AWS's validation errors do. */
function checked<T>(schema: z.ZodType<T>, body: unknown): Result<T, ControlPlaneError> {
  const r = schema.safeParse(body);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  return { ok: false, error: invalidRequest(`1 validation error detected: Value at '${issue?.path.join('.') ?? ''}' failed to satisfy constraint: ${issue?.message ?? 'invalid'}`) };
}

const handle =
  <T>(schema: z.ZodType<T> | undefined, fn: (req: Req, body: T) => Outcome) =>
  async (req: Req, reply: FastifyReply): Promise<FastifyReply> => {
    const raw = jsonBody(req.body);
    if (!raw.ok) return sendControlPlaneError(reply, raw.error);
    const body = schema ? checked(schema, raw.value) : { ok: true as const, value: raw.value as T };
    if (!body.ok) return sendControlPlaneError(reply, body.error);
    return sendResult(reply, fn(req, body.value));
  };

const p = (req: Req, name: string): string => req.params[name] ?? '';

/** `thingGroupName` or the name in `thingGroupArn` (and the same for things). */
function nameOf(name: string | undefined, arn: string | undefined, kind: 'thing' | 'thinggroup'): string | undefined {
  if (name !== undefined) return name;
  const parsed = arn === undefined ? undefined : parseRegistryArn(arn);
  return parsed?.kind === kind ? parsed.name : undefined;
}

/** DeleteThing / DeleteThingGroup: the name from the path, `expectedVersion` from the query, `{}` out. */
const deleteWithVersion = (label: string, remove: (name: string, expectedVersion: number | undefined) => Result<void, ControlPlaneError>) =>
  handle(undefined, (req) => {
    const v = queryInt(req.query, 'expectedVersion');
    if (!v.ok) return v;
    const r = remove(p(req, label), v.value);
    return r.ok ? { ok: true, value: {} } : r;
  });

export function registerIotRegistry(app: FastifyInstance, d: IotRegistryDeps): void {
  const { registry } = d;
  app.post(
    '/things/:thingName',
    handle(createThingBody, (req, b) =>
      registry.createThing(p(req, 'thingName'), { ...(b.thingTypeName !== undefined ? { thingTypeName: b.thingTypeName } : {}), ...(b.attributePayload?.attributes ? { attributes: b.attributePayload.attributes } : {}) }, d.nowSec()),
    ),
  );
  app.get('/things/:thingName', handle(undefined, (req) => registry.describeThing(p(req, 'thingName'))));
  app.get(
    '/things',
    handle(undefined, (req) => {
      const page = queryPage(req.query);
      if (!page.ok) return page;
      return registry.listThings({ ...page.value, ...queryFilters(req.query, ['attributeName', 'attributeValue', 'thingTypeName']) });
    }),
  );
  app.patch(
    '/things/:thingName',
    handle(updateThingBody, (req, b) => {
      const r = registry.updateThing(
        p(req, 'thingName'),
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
    handle(undefined, (req) => {
      const page = queryPage(req.query);
      return page.ok ? registry.listThingGroupsForThing(p(req, 'thingName'), page.value) : page;
    }),
  );

  app.post(
    '/thing-groups/:thingGroupName',
    handle(createGroupBody, (req, b) => {
      const props = b.thingGroupProperties;
      return registry.createThingGroup(
        p(req, 'thingGroupName'),
        {
          ...(b.parentGroupName !== undefined ? { parentGroupName: b.parentGroupName } : {}),
          ...(props?.thingGroupDescription !== undefined ? { description: props.thingGroupDescription } : {}),
          ...(props?.attributePayload?.attributes ? { attributes: props.attributePayload.attributes } : {}),
        },
        d.nowSec(),
      );
    }),
  );
  app.get('/thing-groups/:thingGroupName', handle(undefined, (req) => registry.describeThingGroup(p(req, 'thingGroupName'))));
  app.delete('/thing-groups/:thingGroupName', deleteWithVersion('thingGroupName', (name, v) => registry.deleteThingGroup(name, v)));
  app.get(
    '/thing-groups',
    handle(undefined, (req) => {
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
    handle(undefined, (req) => {
      const page = queryPage(req.query);
      if (!page.ok) return page;
      const recursive = queryBool(req.query, 'recursive');
      return recursive.ok ? registry.listThingsInThingGroup(p(req, 'thingGroupName'), { ...page.value, recursive: recursive.value }) : recursive;
    }),
  );
  const membership = (add: boolean) =>
    handle(membershipBody, (_req, b) => {
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
    handle(undefined, (req) => {
      const type = queryString(req.query, 'endpointType') ?? 'iot:Data';
      const httpHost = (req.headers.host ?? '127.0.0.1').replace(/:\d+$/, '');
      if (type === 'iot:Data' || type === 'iot:Data-ATS') return { ok: true, value: { endpointAddress: d.mqttHost } };
      if (type === 'iot:Jobs' || type === 'iot:CredentialProvider') return { ok: true, value: { endpointAddress: httpHost } };
      return { ok: false, error: invalidRequest(`Invalid endpointType: ${type}`) };
    }),
  );
  app.get('/event-configurations', handle(undefined, () => ({ ok: true, value: d.events.describe() })));
  app.patch(
    '/event-configurations',
    handle(eventConfigBody, (_req, b) => {
      d.events.update(b.eventConfigurations ?? {}, d.nowSec());
      return { ok: true, value: {} };
    }),
  );
}
