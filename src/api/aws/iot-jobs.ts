/** Jobs control-plane routes of service `iot` (spec §3.2). */
import type { FastifyInstance } from 'fastify';
import type { JobsService } from '../../cloud/jobs/service.js';
import { jsonRoute, pathParam, queryBool, queryFilters, queryInt, queryPage } from './rest-json.js';

export function registerIotJobs(app: FastifyInstance, jobs: JobsService): void {
  const iot = { constraints: { awsService: 'iot' } };

  app.put('/jobs/:jobId', jsonRoute((req, body) => jobs.control.createJob(pathParam(req, 'jobId'), body)));
  app.get('/jobs/:jobId', jsonRoute((req) => jobs.control.describeJob(pathParam(req, 'jobId'))));
  app.get('/jobs/:jobId/job-document', jsonRoute((req) => jobs.control.getJobDocument(pathParam(req, 'jobId'))));
  app.patch('/jobs/:jobId', jsonRoute((req, body) => jobs.control.updateJob(pathParam(req, 'jobId'), body)));
  app.put(
    '/jobs/:jobId/cancel',
    jsonRoute((req, body) => {
      const force = queryBool(req.query, 'force');
      return force.ok ? jobs.control.cancelJob(pathParam(req, 'jobId'), body, force.value) : force;
    }),
  );
  app.delete(
    '/jobs/:jobId',
    jsonRoute((req) => {
      const force = queryBool(req.query, 'force');
      return force.ok ? jobs.control.deleteJob(pathParam(req, 'jobId'), force.value) : force;
    }),
  );
  app.get(
    '/jobs',
    jsonRoute((req) => {
      const page = queryPage(req.query);
      if (!page.ok) return page;
      return jobs.control.listJobs({ ...page.value, ...queryFilters(req.query, ['status', 'targetSelection', 'thingGroupName', 'thingGroupId', 'namespaceId']) });
    }),
  );
  app.get(
    '/jobs/:jobId/things',
    jsonRoute((req) => {
      const page = queryPage(req.query);
      if (!page.ok) return page;
      return jobs.executions.listForJob(pathParam(req, 'jobId'), { ...page.value, ...queryFilters(req.query, ['status']) });
    }),
  );

  // Shared with iot-jobs-data (GetPendingJobExecutions / DescribeJobExecution): told apart by signature.
  app.get(
    '/things/:thingName/jobs',
    iot,
    jsonRoute((req) => {
      const page = queryPage(req.query);
      if (!page.ok) return page;
      return jobs.executions.listForThing(pathParam(req, 'thingName'), { ...page.value, ...queryFilters(req.query, ['status', 'jobId', 'namespaceId']) });
    }),
  );
  app.get(
    '/things/:thingName/jobs/:jobId',
    iot,
    jsonRoute((req) => {
      const n = queryInt(req.query, 'executionNumber');
      return n.ok ? jobs.executions.describeJobExecution(pathParam(req, 'thingName'), pathParam(req, 'jobId'), n.value) : n;
    }),
  );
  app.put(
    '/things/:thingName/jobs/:jobId/cancel',
    jsonRoute((req, body) => {
      const force = queryBool(req.query, 'force');
      return force.ok ? jobs.executions.cancel(pathParam(req, 'thingName'), pathParam(req, 'jobId'), body, force.value) : force;
    }),
  );
  app.delete(
    '/things/:thingName/jobs/:jobId/executionNumber/:executionNumber',
    jsonRoute((req) => {
      const force = queryBool(req.query, 'force');
      if (!force.ok) return force;
      const n = Number(pathParam(req, 'executionNumber'));
      if (!Number.isSafeInteger(n) || n < 0) return { ok: false, error: { code: 'InvalidRequest', message: 'executionNumber must be a non-negative integer' } };
      return jobs.executions.delete(pathParam(req, 'thingName'), pathParam(req, 'jobId'), n, force.value);
    }),
  );
}
