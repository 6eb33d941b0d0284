/**
 * The Jobs device API over MQTT (spec §1): requests on `$aws/things/{thing}/jobs/…`, answers on
 * `<request topic>/accepted|rejected`. The broker's ACL sees to it that a device publishes only
 * under its own thing and that only it receives its replies (§9).
 */
import type { JobsDeviceApi } from './device-api.js';
import { executionState, type JobExecution, type JobsError } from './executions.js';
import type { ExecutionLedger } from './execution-ledger.js';
import { executionData, getPendingAccepted } from './notifications.js';
import { invalidTopicError, parseDescribe, parseGetPending, parseJobsTopic, parseStartNext, parseUpdate, rejectedPayload, type JobsRequestError } from './requests.js';

export interface JobsReply {
  topic: string;
  body: object;
  /** The rejection, for counting and logging. */
  error?: JobsError;
}

/**
 * The request topics: exactly what the broker's ACL lets a client publish under `jobs/`
 * (acl.ts `isThingRequestTopic`), so an invalid job id still arrives and is answered InvalidTopic
 * (§1.4). Not `jobs/#`: that delivered every reply and notification the service publishes back to
 * it, two of every three messages it received during a rollout.
 */
export const JOBS_REQUEST_FILTERS = ['$aws/things/+/jobs/get', '$aws/things/+/jobs/start-next', '$aws/things/+/jobs/+/get', '$aws/things/+/jobs/+/update'];

export class JobsMqttEndpoint {
  constructor(
    private readonly api: JobsDeviceApi,
    private readonly ledger: ExecutionLedger,
  ) {}

  /** The reply to one published message, or undefined when the topic is not a request (our own replies). */
  handle(topic: string, payload: Uint8Array): JobsReply | undefined {
    const t = parseJobsTopic(topic);
    if (!t) return undefined;
    const now = this.ledger.nowSec();
    const rejected = (error: JobsRequestError, clientToken?: string): JobsReply => ({ topic: `${topic}/rejected`, body: rejectedPayload(error, now, clientToken), error });
    const accepted = (body: object): JobsReply => ({ topic: `${topic}/accepted`, body });
    const token = (t: string | undefined): { clientToken?: string } => (t === undefined ? {} : { clientToken: t });
    const withExecution = (e: JobExecution | undefined): object => (e ? { execution: executionData(e, this.ledger.documentObject(e.jobId)) } : {});

    switch (t.op) {
      case 'invalid': {
        // The topic is what is wrong; a readable clientToken is still echoed (§1.2, §10 #1).
        const req = parseGetPending(payload);
        return rejected(invalidTopicError(topic), req.ok ? req.value.clientToken : undefined);
      }
      case 'get': {
        const req = parseGetPending(payload);
        if (!req.ok) return rejected(req.error);
        return accepted(getPendingAccepted(this.api.pending(t.thing), now, req.value.clientToken));
      }
      case 'start-next': {
        const req = parseStartNext(payload);
        if (!req.ok) return rejected(req.error);
        const r = this.api.startNext(t.thing, req.value);
        if (!r.ok) return rejected(r.error, req.value.clientToken);
        // Key order as in §1.3's example: execution, timestamp, clientToken.
        return accepted({ ...withExecution(r.value), timestamp: now, ...token(req.value.clientToken) });
      }
      case 'describe': {
        const req = parseDescribe(payload);
        if (!req.ok) return rejected(req.error);
        const r = this.api.describe(t.thing, t.jobId, req.value);
        if (!r.ok) return rejected(r.error, req.value.clientToken);
        const e = r.value;
        const execution = e && (req.value.includeJobDocument ? executionData(e, this.ledger.documentObject(e.jobId)) : withoutDocument(executionData(e, {})));
        return accepted({ ...(execution ? { execution } : {}), timestamp: now, ...token(req.value.clientToken) });
      }
      case 'update': {
        const req = parseUpdate(payload);
        if (!req.ok) return rejected(req.error);
        const r = this.api.update(t.thing, t.jobId, req.value);
        if (!r.ok) return rejected(r.error, req.value.clientToken);
        return accepted({
          ...(req.value.includeJobExecutionState ? { executionState: executionState(r.value) } : {}),
          ...(req.value.includeJobDocument ? { jobDocument: this.ledger.documentObject(t.jobId) } : {}),
          timestamp: now,
          ...token(req.value.clientToken),
        });
      }
    }
  }
}

function withoutDocument<T extends { jobDocument: object }>(e: T): Omit<T, 'jobDocument'> {
  const { jobDocument: _dropped, ...rest } = e;
  return rest;
}
