import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { EventSettings } from '../event-configurations.js';
import { thingArn, type ArnScope } from '../registry/arns.js';
import { isTerminal, type JobExecution } from './executions.js';
import { executionEvent, executionOperation, jobEvent, type EventMessage, type JobOperation } from './events.js';
import type { Job } from './job.js';
import type { JobStore } from './job-store.js';
import { notificationsFor, notifyNextPayload, notifyPayload, pendingList } from './notifications.js';
import { secondsBeforeTimedOut } from './timeouts.js';
import { hasPresignedPlaceholders, replacePresignedPlaceholders } from './documents.js';

/**
 * Told of every execution change once it is stored and announced, before a SNAPSHOT job is
 * completed: timeouts re-arm, a failure may be retried, abort criteria are checked.
 */
export interface ExecutionObserver {
  executionChanged(previous: JobExecution | undefined, next: JobExecution | undefined): void;
}

export interface DocumentPresigner {
  presign(bucket: string, key: string, expiresInSec?: number): string;
}

/** Where the jobs service's messages go: the broker, through the service's MQTT connection. */
export interface JobsOutbox {
  publish(topic: string, body: object): void;
}

/**
 * The one place executions change. Every add, replace and delete is persisted, then the thing
 * gets the `notify`/`notify-next` its change calls for (spec §1.5), the execution event is
 * published when it became terminal (§5), and a SNAPSHOT job whose executions are all terminal
 * is completed (§3.4). Device requests and control-plane operations both go through here, so the
 * rules hold however a change was made.
 */
export class ExecutionLedger {
  private readonly documents = new Map<string, { parsed: object; presigned: boolean }>();
  private presigner: DocumentPresigner | undefined;
  private readonly observers: ExecutionObserver[] = [];
  /** The execution that retries a failed one, if its job's retry config allows one (§4.4). */
  private retryOf: (failed: JobExecution) => JobExecution | undefined = () => undefined;
  /** True while a job still has targets to release: a SNAPSHOT job is not done before that. */
  private rollingOut: (jobId: string) => boolean = () => false;

  constructor(
    readonly store: JobStore,
    private readonly outbox: JobsOutbox,
    private readonly events: EventSettings,
    private readonly scope: ArnScope,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  nowSec(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  nowMs(): number {
    return this.clock.now();
  }

  observe(observer: ExecutionObserver): void {
    this.observers.push(observer);
  }

  retryWith(retryOf: (failed: JobExecution) => JobExecution | undefined): void {
    this.retryOf = retryOf;
  }

  holdOpenWhile(rollingOut: (jobId: string) => boolean): void {
    this.rollingOut = rollingOut;
  }

  /** `approximateSecondsBeforeTimedOut` (§4.3): undefined unless IN_PROGRESS under a timer. */
  secondsBeforeTimedOut(e: JobExecution): number | undefined {
    if (e.status !== 'IN_PROGRESS') return undefined;
    return secondsBeforeTimedOut(e, this.store.job(e.jobId)?.timeoutConfig?.inProgressTimeoutInMinutes, this.nowSec());
  }

  /** Signs the S3 objects a document's presigned-URL placeholders name (§7). */
  presignWith(presigner: DocumentPresigner): void {
    this.presigner = presigner;
  }

  /**
   * The job's document as the device receives it over MQTT: a JSON object (§1.3), its
   * presigned-URL placeholders replaced by URLs signed now, valid `presignedUrlConfig.expiresInSec`
   * (§7). Documents without placeholders are parsed once and shared.
   */
  documentObject(jobId: string): object {
    let doc = this.documents.get(jobId);
    if (doc === undefined) {
      const job = this.store.job(jobId);
      doc = job ? { parsed: JSON.parse(job.document) as object, presigned: hasPresignedPlaceholders(job.document) } : { parsed: {}, presigned: false };
      this.documents.set(jobId, doc);
    }
    return doc.presigned && this.presigner ? (JSON.parse(this.documentText(jobId)) as object) : doc.parsed;
  }

  /** The same as `documentObject`, as the text the HTTPS device API returns (§6). */
  documentText(jobId: string): string {
    const job = this.store.job(jobId);
    if (!job) return '{}';
    const presigner = this.presigner;
    if (!presigner) return job.document;
    const expires = job.presignedUrlConfig?.expiresInSec;
    return replacePresignedPlaceholders(job.document, (bucket, key) => presigner.presign(bucket, key, expires));
  }

  forgetJob(jobId: string): void {
    this.documents.delete(jobId);
  }

  add(exec: JobExecution): void {
    this.change(exec.thingName, undefined, () => this.store.addExecution(exec), exec);
  }

  replace(previous: JobExecution, next: JobExecution): void {
    this.change(next.thingName, previous, () => this.store.replaceExecution(next), next);
  }

  /** `announce: false` when the whole job goes: its `deleted` job event says it once. */
  delete(exec: JobExecution, announce = true): void {
    this.change(exec.thingName, exec, () => this.store.deleteExecution(exec), undefined);
    if (announce) this.publishIf('JOB_EXECUTION', executionEvent('deleted', exec, thingArn(this.scope, exec.thingName), this.clock.now()));
  }

  /** Publishes a job event if JOB events are on. */
  jobEvent(op: JobOperation, job: Job): void {
    this.publishIf('JOB', jobEvent(op, job, this.store.counts(job.jobId), this.clock.now()));
  }

  /** Completes a SNAPSHOT job once none of its executions is pending (§3.4, §10 #33). */
  completeIfDone(jobId: string): void {
    const job = this.store.job(jobId);
    if (!job || job.targetSelection !== 'SNAPSHOT' || job.status !== 'IN_PROGRESS') return;
    const c = this.store.counts(jobId);
    if (c.QUEUED + c.IN_PROGRESS > 0 || this.rollingOut(jobId)) return;
    const now = this.clock.now();
    const done: Job = { ...job, status: 'COMPLETED', completedAt: now, lastUpdatedAt: now };
    this.store.putJob(done);
    this.jobEvent('completed', done);
  }

  private change(thing: string, previous: JobExecution | undefined, mutate: () => void, next: JobExecution | undefined): void {
    const before = this.store.executionsOf(thing);
    mutate();
    const turnedTerminal = next !== undefined && isTerminal(next.status) && (!previous || !isTerminal(previous.status));
    // A retry is queued in the same change as the failure it follows, so the device hears of it in
    // one notify-next, not an empty one first (which would tell it there is nothing left to do).
    const retry = turnedTerminal ? this.retryOf(next) : undefined;
    if (retry) this.store.addExecution(retry);
    const after = this.store.executionsOf(thing);
    const decision = notificationsFor(before, after);
    const nowSec = this.nowSec();
    if (decision.notify || decision.notifyNext) {
      const pending = pendingList(after);
      const P = `$aws/things/${thing}/jobs`;
      if (decision.notify) this.outbox.publish(`${P}/notify`, notifyPayload(pending, nowSec));
      if (decision.notifyNext) {
        const head = pending[0];
        this.outbox.publish(`${P}/notify-next`, notifyNextPayload(head && { execution: head, jobDocument: this.documentObject(head.jobId) }, nowSec));
      }
    }
    if (turnedTerminal) {
      const op = executionOperation(next.status);
      if (op) this.publishIf('JOB_EXECUTION', executionEvent(op, next, thingArn(this.scope, thing), this.clock.now()));
    }
    for (const o of this.observers) {
      o.executionChanged(previous, next);
      if (retry) o.executionChanged(undefined, retry);
    }
    if (turnedTerminal) this.completeIfDone(next.jobId);
  }

  private publishIf(type: 'JOB' | 'JOB_EXECUTION', event: EventMessage): void {
    if (!this.events.enabled(type)) return;
    this.log.debug({ topic: event.topic }, 'jobs event');
    this.outbox.publish(event.topic, event.body);
  }
}
