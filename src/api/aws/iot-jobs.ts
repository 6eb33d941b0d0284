/** Jobs control-plane routes of service `iot` (spec §3.2). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ControlPlaneError } from '../../cloud/control-plane-error.js';
import type { JobsService } from '../../cloud/jobs/service.js';
import type { Result } from '../../core/result.js';
import { jsonBody, queryBool, queryFilters, queryInt, queryPage, sendControlPlaneError, sendResult, type JsonBody } from './rest-json.js';

type Query = Record<string, string | string[] | undefined>;
type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Query; Body: unknown }>;
type Outcome = Result<object, ControlPlaneError>;

/** Answers with the handler's result; a body or query that does not parse is a 400 first. */
const handle =
  (fn: (req: Req, body: JsonBody) => Outcome | Promise<Outcome>) =>
  async (req: Req, reply: FastifyReply): Promise<FastifyReply> => {
    const body = jsonBody(req.body);
    if (!body.ok) return sendControlPlaneError(reply, body.error);
    return sendResult(reply, await fn(req, body.value));
  };

const param = (req: Req, name: string): string => req.params[name] ?? '';

export function registerIotJobs(app: FastifyInstance, jobs: JobsService): void {
  const iot = { constraints: { awsService: 'iot' } };

  app.put('/jobs/:jobId', handle((req, body) => jobs.control.createJob(param(req, 'jobId'), body)));
  app.get('/jobs/:jobId', handle((req) => jobs.control.describeJob(param(req, 'jobId'))));
  app.get('/jobs/:jobId/job-document', handle((req) => jobs.control.getJobDocument(param(req, 'jobId'))));
  app.patch('/jobs/:jobId', handle((req, body) => jobs.control.updateJob(param(req, 'jobId'), body)));
  app.put(
    '/jobs/:jobId/cancel',
    handle((req, body) => {
      const force = queryBool(req.query, 'force');
      return force.ok ? jobs.control.cancelJob(param(req, 'jobId'), body, force.value) : force;
    }),
  );
  app.delete(
    '/jobs/:jobId',
    handle((req) => {
      const force = queryBool(req.query, 'force');
      return force.ok ? jobs.control.deleteJob(param(req, 'jobId'), force.value) : force;
    }),
  );
  app.get(
    '/jobs',
    handle((req) => {
      const page = queryPage(req.query);
      if (!page.ok) return page;
      return jobs.control.listJobs({ ...page.value, ...queryFilters(req.query, ['status', 'targetSelection', 'thingGroupName', 'thingGroupId', 'namespaceId']) });
    }),
  );
  app.get(
    '/jobs/:jobId/things',
    handle((req) => {
      const page = queryPage(req.query);
      if (!page.ok) return page;
      return jobs.executions.listForJob(param(req, 'jobId'), { ...page.value, ...queryFilters(req.query, ['status']) });
    }),
  );

  // Shared with iot-jobs-data (GetPendingJobExecutions / DescribeJobExecution): told apart by signature.
  app.get(
    '/things/:thingName/jobs',
    iot,
    handle((req) => {
      const page = queryPage(req.query);
      if (!page.ok) return page;
      return jobs.executions.listForThing(param(req, 'thingName'), { ...page.value, ...queryFilters(req.query, ['status', 'jobId', 'namespaceId']) });
    }),
  );
  app.get(
    '/things/:thingName/jobs/:jobId',
    iot,
    handle((req) => {
      const n = queryInt(req.query, 'executionNumber');
      return n.ok ? jobs.executions.describeJobExecution(param(req, 'thingName'), param(req, 'jobId'), n.value) : n;
    }),
  );
  app.put(
    '/things/:thingName/jobs/:jobId/cancel',
    handle((req, body) => {
      const force = queryBool(req.query, 'force');
      return force.ok ? jobs.executions.cancel(param(req, 'thingName'), param(req, 'jobId'), body, force.value) : force;
    }),
  );
  app.delete(
    '/things/:thingName/jobs/:jobId/executionNumber/:executionNumber',
    handle((req) => {
      const force = queryBool(req.query, 'force');
      if (!force.ok) return force;
      const n = Number(param(req, 'executionNumber'));
      if (!Number.isSafeInteger(n) || n < 0) return { ok: false, error: { code: 'InvalidRequest', message: 'executionNumber must be a non-negative integer' } };
      return jobs.executions.delete(param(req, 'thingName'), param(req, 'jobId'), n, force.value);
    }),
  );
}
