import type { FastifyInstance } from 'fastify';
import { canPublish } from '../../broker/acl.js';
import type { ShadowService } from '../../cloud/shadow/service.js';
import { THING_NAME_PATTERN, type ShadowOp } from '../../cloud/shadow/topics.js';
import { IOT_DATA_ERRORS, sendAwsError } from './errors.js';

export interface IotDataDeps {
  shadow: ShadowService;
  namedShadows(thing: string): string[];
  nowSec(): number;
  /** Publishes as an operator would (HTTP Publish). */
  publish(topic: string, payload: Buffer, qos: 0 | 1, retain: boolean): Promise<void>;
}

interface ShadowParams {
  thingName: string;
}
interface ShadowQuery {
  name?: string;
}

/** The AWS IoT data plane (service `iotdata`): Device Shadow and Publish over HTTPS (spec §8.6). */
export function registerIotData(app: FastifyInstance, deps: IotDataDeps): void {
  // Shadow bodies are raw JSON blobs validated by the shadow service itself, byte for byte.
  // Whatever the content type (the CLI sends none, curl form-encoding, fetch text/plain).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const shadowRoute = (op: ShadowOp) => async (req: { params: ShadowParams; query: ShadowQuery; body?: unknown }, reply: Parameters<typeof sendAwsError>[0]) => {
    const name = req.query.name ?? '';
    const payload = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const result = deps.shadow.request(op, req.params.thingName, name, payload);
    if (!result.ok) return sendAwsError(reply, result.error.code, IOT_DATA_ERRORS[result.error.code] ?? 'InternalFailureException', result.error.message);
    deps.shadow.publishAll(result.publishes);
    return reply.header('content-type', 'application/json').send(result.body);
  };

  app.get<{ Params: ShadowParams; Querystring: ShadowQuery }>('/things/:thingName/shadow', shadowRoute('get'));
  app.post<{ Params: ShadowParams; Querystring: ShadowQuery }>('/things/:thingName/shadow', shadowRoute('update'));
  app.delete<{ Params: ShadowParams; Querystring: ShadowQuery }>('/things/:thingName/shadow', shadowRoute('delete'));

  app.get<{ Params: ShadowParams; Querystring: { nextToken?: string; pageSize?: string } }>(
    '/api/things/shadow/ListNamedShadowsForThing/:thingName',
    async (req, reply) => {
      if (!THING_NAME_PATTERN.test(req.params.thingName)) return sendAwsError(reply, 400, 'InvalidRequestException', 'Invalid thing name');
      const pageSize = req.query.pageSize === undefined ? 25 : Number(req.query.pageSize);
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) return sendAwsError(reply, 400, 'InvalidRequestException', 'pageSize must be an integer from 1 to 100');
      const all = deps.namedShadows(req.params.thingName);
      const start = req.query.nextToken ? all.findIndex((n) => n > Buffer.from(req.query.nextToken ?? '', 'base64url').toString()) : 0;
      const from = start < 0 ? all.length : start;
      const results = all.slice(from, from + pageSize);
      const more = from + pageSize < all.length;
      return reply.send({
        results,
        ...(more ? { nextToken: Buffer.from(results[results.length - 1] ?? '').toString('base64url') } : {}),
        timestamp: deps.nowSec(),
      });
    },
  );

  app.post<{ Params: { '*': string }; Querystring: { qos?: string; retain?: string } }>('/topics/*', async (req, reply) => {
    const topic = decodeURIComponent(req.params['*']);
    const qos = req.query.qos === undefined ? 0 : Number(req.query.qos);
    if (qos !== 0 && qos !== 1) return sendAwsError(reply, 400, 'InvalidRequestException', 'qos must be 0 or 1');
    if (topic === '' || /[#+]/.test(topic)) return sendAwsError(reply, 400, 'InvalidRequestException', 'Invalid topic name');
    if (!canPublish({ kind: 'operator', username: undefined }, topic)) return sendAwsError(reply, 401, 'UnauthorizedException', `Not authorized to publish to ${topic}`);
    await deps.publish(topic, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), qos, req.query.retain === 'true');
    return reply.send({});
  });

}
