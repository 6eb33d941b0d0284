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
    switch (t.op) {
      case 'invalid': {
        // The topic is what is wrong; a readable clientToken is still echoed (§1.2, §10 #1).
        const req = parseGetPending(payload);
        return rejected(topic, now, invalidTopicError(topic), req.ok ? req.value.clientToken : undefined);
      }
      case 'get': {
        const req = parseGetPending(payload);
        if (!req.ok) return rejected(topic, now, req.error);
        return accepted(topic, getPendingAccepted(this.api.pending(t.thing), now, req.value.clientToken));
      }
      case 'start-next': {
        const req = parseStartNext(payload);
        if (!req.ok) return rejected(topic, now, req.error);
        const r = this.api.startNext(t.thing, req.value);
        if (!r.ok) return rejected(topic, now, r.error, req.value.clientToken);
        // Key order as in §1.3's example: execution, timestamp, clientToken.
        return accepted(topic, { ...this.execution(r.value, true), timestamp: now, ...token(req.value.clientToken) });
      }
      case 'describe': {
        const req = parseDescribe(payload);
        if (!req.ok) return rejected(topic, now, req.error);
        const r = this.api.describe(t.thing, t.jobId, req.value);
        if (!r.ok) return rejected(topic, now, r.error, req.value.clientToken);
        return accepted(topic, { ...this.execution(r.value, req.value.includeJobDocument), timestamp: now, ...token(req.value.clientToken) });
      }
      case 'update': {
        const req = parseUpdate(payload);
        if (!req.ok) return rejected(topic, now, req.error);
        const r = this.api.update(t.thing, t.jobId, req.value);
        if (!r.ok) return rejected(topic, now, r.error, req.value.clientToken);
        return accepted(topic, {
          ...(req.value.includeJobExecutionState ? { executionState: executionState(r.value) } : {}),
          ...(req.value.includeJobDocument ? { jobDocument: this.ledger.documentObject(t.jobId) } : {}),
          timestamp: now,
          ...token(req.value.clientToken),
        });
      }
    }
  }

  /** `{execution}` for a reply, or nothing when there is none (§10 #5). */
  private execution(e: JobExecution | undefined, withDocument: boolean): { execution?: object } {
    if (!e) return {};
    return { execution: executionData(e, withDocument ? this.ledger.documentObject(e.jobId) : undefined, this.ledger.secondsBeforeTimedOut(e)) };
  }
}

const accepted = (topic: string, body: object): JobsReply => ({ topic: `${topic}/accepted`, body });

const rejected = (topic: string, nowSec: number, error: JobsRequestError, clientToken?: string): JobsReply => ({
  topic: `${topic}/rejected`,
  body: rejectedPayload(error, nowSec, clientToken),
  error,
});

/** Omitted, not null, when the request had none (§10 #1). */
const token = (clientToken: string | undefined): { clientToken?: string } => (clientToken === undefined ? {} : { clientToken });
