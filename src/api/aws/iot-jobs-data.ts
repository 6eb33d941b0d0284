/**
 * The Jobs device API over HTTPS (service `iot-jobs-data`, spec §6): the MQTT operations without
 * the clientToken/timestamp envelope, `jobDocument` as a string, and no notifications.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JobsError, JobExecution } from '../../cloud/jobs/executions.js';
import { executionState } from '../../cloud/jobs/executions.js';
import { executionData, executionSummary } from '../../cloud/jobs/notifications.js';
import { NEXT_JOB_ID, parseStartNext, parseUpdate } from '../../cloud/jobs/requests.js';
import type { JobsService } from '../../cloud/jobs/service.js';
import { sendAwsError } from './errors.js';

type Req = FastifyRequest<{ Params: { thingName: string; jobId?: string }; Querystring: Record<string, string | undefined>; Body: unknown }>;

const constraint = { constraints: { awsService: 'iot-jobs-data' } };

/** Model statuses (spec §6): a version mismatch is the one 409 UpdateJobExecution declares. */
function sendJobsError(reply: FastifyReply, e: JobsError): FastifyReply {
  switch (e.code) {
    case 'InvalidJson':
    case 'InvalidRequest':
    case 'InvalidTopic':
      return sendAwsError(reply, 400, 'InvalidRequestException', e.message);
    case 'ResourceNotFound':
      return sendAwsError(reply, 404, 'ResourceNotFoundException', e.message);
    case 'InvalidStateTransition':
    case 'VersionMismatch':
      return sendAwsError(reply, 409, 'InvalidStateTransitionException', e.message);
    case 'TerminalStateReached':
      return sendAwsError(reply, 410, 'TerminalStateException', e.message);
    case 'RequestThrottled':
      return sendAwsError(reply, 429, 'ThrottlingException', e.message);
    case 'InternalError':
      return sendAwsError(reply, 503, 'ServiceUnavailableException', e.message);
  }
}

const bytes = (body: unknown): Uint8Array => Buffer.from(typeof body === 'string' ? body : '', 'utf8');

export function registerIotJobsData(app: FastifyInstance, jobs: JobsService): void {
  const document = (e: JobExecution): string => jobs.device.documentText(e.jobId);
  const httpExecution = (e: JobExecution, withDocument: boolean): object => {
    const data = executionData(e, undefined, jobs.device.secondsBeforeTimedOut(e));
    // Over HTTPS the document is a string, not an object (§6).
    return withDocument ? { ...data, jobDocument: document(e) } : data;
  };

  app.get('/things/:thingName/jobs', constraint, async (req: Req, reply) => {
    const pending = jobs.device.pending(req.params.thingName);
    return reply.send({
      inProgressJobs: pending.filter((e) => e.status === 'IN_PROGRESS').map(executionSummary),
      queuedJobs: pending.filter((e) => e.status === 'QUEUED').map(executionSummary),
    });
  });

  app.put('/things/:thingName/jobs/:jobId', constraint, async (req: Req, reply) => {
    if (req.params.jobId !== NEXT_JOB_ID) return sendAwsError(reply, 404, 'UnknownOperationException', `No operation matches PUT ${req.url.split('?')[0]}`);
    const parsed = parseStartNext(bytes(req.body));
    if (!parsed.ok) return sendJobsError(reply, parsed.error);
    const r = jobs.device.startNext(req.params.thingName, parsed.value);
    if (!r.ok) return sendJobsError(reply, r.error);
    return reply.send(r.value ? { execution: httpExecution(r.value, true) } : {});
  });

  app.get('/things/:thingName/jobs/:jobId', constraint, async (req: Req, reply) => {
    const q = req.query;
    const include = q.includeJobDocument;
    if (include !== undefined && include !== 'true' && include !== 'false') return sendAwsError(reply, 400, 'InvalidRequestException', 'includeJobDocument must be true or false');
    const n = q.executionNumber;
    if (n !== undefined && !/^\d+$/.test(n)) return sendAwsError(reply, 400, 'InvalidRequestException', 'executionNumber must be a non-negative integer');
    const r = jobs.device.describe(req.params.thingName, req.params.jobId ?? '', n === undefined ? {} : { executionNumber: Number(n) });
    if (!r.ok) return sendJobsError(reply, r.error);
    return reply.send(r.value ? { execution: httpExecution(r.value, include !== 'false') } : {});
  });

  app.post('/things/:thingName/jobs/:jobId', constraint, async (req: Req, reply) => {
    const parsed = parseUpdate(bytes(req.body));
    if (!parsed.ok) return sendJobsError(reply, parsed.error);
    const jobId = req.params.jobId ?? '';
    const r = jobs.device.update(req.params.thingName, jobId, parsed.value);
    if (!r.ok) return sendJobsError(reply, r.error);
    return reply.send({
      ...(parsed.value.includeJobExecutionState ? { executionState: executionState(r.value) } : {}),
      ...(parsed.value.includeJobDocument ? { jobDocument: document(r.value) } : {}),
    });
  });
}
