/**
 * The device's AWS IoT Jobs agent, over the exact device-side topics (spec §1), so it runs
 * unchanged against AWS IoT Core: start-next on every connect, notify-next for new work, one
 * execution at a time, each run by the handler its document selects.
 */
import { err, type Result } from '../core/result.js';
import type { TimerEntry, TimerTarget } from './context.js';
import { detailValue, type JobHost, type JobRun, type StatusDetails, type StepOutcome } from './handlers/handler.js';
import { selectHandler, type JobHandler } from './handlers/index.js';
import { isRecord, parseObject, type JsonRecord } from './json.js';

/** What the agent needs of its device. */
export interface JobAgentHost extends JobHost {
  publish(topic: string, payload: string, qos?: 0 | 1): void;
}

/** One state instead of flags. */
export const JobPhase = {
  Offline: 0,
  /** Nothing to do until notify-next (or a retry timer) says otherwise. */
  Idle: 1,
  /** start-next sent, its answer not yet in. */
  Requesting: 2,
  /** A handler is between steps. */
  Running: 3,
  /** The terminal update is sent, its answer not yet in. */
  Finishing: 4,
} as const;
export type JobPhase = (typeof JobPhase)[keyof typeof JobPhase];

type TerminalStatus = 'SUCCEEDED' | 'FAILED' | 'REJECTED';

const TIMER_STEP = 1;
const TIMER_RETRY = 2;

/** The reply topics the agent reads. */
const Route = { NotifyNext: 0, StartNextAccepted: 1, StartNextRejected: 2, UpdateAccepted: 3, UpdateRejected: 4 } as const;
type Route = (typeof Route)[keyof typeof Route];

/** Rejections meaning the execution is gone or changed under the device: drop it, ask for the next. */
const MOVE_ON_CODES: ReadonlySet<string> = new Set(['InvalidStateTransition', 'ResourceNotFound', 'VersionMismatch']);

const JOB_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const NUMERIC = /^[0-9]+$/;

/** Problems already logged by this worker: one warning per kind, not one per device. */
const warned = new Set<string>();
/** Kinds include the service's error codes; a misbehaving broker must not grow the set without end. */
const MAX_WARNED_KINDS = 64;

interface ActiveJob extends JobRun {
  /** Which execution of the job this is: a retry is a new one (§4.4). Undefined when not sent. */
  readonly executionNumber: number | undefined;
  /** Undefined when no handler takes the document (the run only sends REJECTED). */
  readonly handler: JobHandler | undefined;
  readonly updateTopic: string;
  /** expectedVersion of the next update; undefined when the service sent no versionNumber. */
  version: number | undefined;
  step: number;
  /** Replies carrying an older clientToken answer an earlier run. */
  readonly tokensFrom: number;
  /** clientToken of the newest update. */
  token: string;
  final: TerminalStatus | undefined;
}

const versionOf = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'string' && NUMERIC.test(v) ? Number(v) : undefined;

export class JobAgent implements TimerTarget {
  /** `$aws/things/{thing}/jobs`. */
  readonly prefix: string;
  private state: JobPhase = JobPhase.Offline;
  /** The running execution; kept while offline so a rerun after reconnect is known as one. */
  private job: ActiveJob | undefined;
  private timer: TimerEntry | undefined;
  private tokens = 0;
  private startNextToken: string | undefined;
  /** notify-next announced work while the agent was busy. */
  private notified = false;

  constructor(private readonly host: JobAgentHost) {
    this.prefix = `$aws/things/${host.thingName}/jobs`;
  }

  get phase(): JobPhase {
    return this.state;
  }

  get jobId(): string | undefined {
    return this.job?.jobId;
  }

  /** True for topics below `$aws/things/{thing}/jobs/`. */
  owns(topic: string): boolean {
    return topic.length > this.prefix.length + 1 && topic.charCodeAt(this.prefix.length) === 0x2f && topic.startsWith(this.prefix);
  }

  /** What to subscribe to on every connect; the thermostat subscribes once for shadow and jobs. */
  subscriptions(): string[] {
    const p = this.prefix;
    return [`${p}/notify-next`, `${p}/start-next/+`, `${p}/+/update/+`];
  }

  onConnected(): void {
    this.state = JobPhase.Idle;
  }

  /** Subscribed (again after every reconnect): ask for work; start-next also resumes an IN_PROGRESS execution. */
  onSubscribed(granted: readonly boolean[]): void {
    if (this.state === JobPhase.Offline) return;
    if (granted.includes(false)) this.problem('subscribe', { granted }, 'broker refused a jobs subscription');
    this.requestNext();
  }

  /** The step timer stops: the execution reruns from its start once start-next hands it back. */
  onDisconnected(): void {
    this.state = JobPhase.Offline;
    this.cancelTimer();
    this.startNextToken = undefined;
    this.notified = false;
  }

  onMessage(topic: string, payload: Buffer): void {
    const suffix = topic.slice(this.prefix.length + 1);
    if (suffix === 'notify-next') return this.withBody(topic, payload, Route.NotifyNext);
    if (suffix === 'start-next/accepted') return this.withBody(topic, payload, Route.StartNextAccepted);
    if (suffix === 'start-next/rejected') return this.withBody(topic, payload, Route.StartNextRejected);
    const job = this.job;
    // Only the running execution's replies matter; checked before parsing anything.
    if (job === undefined || !suffix.startsWith(job.jobId) || suffix.charCodeAt(job.jobId.length) !== 0x2f) return;
    const rest = suffix.slice(job.jobId.length + 1);
    if (rest === 'update/accepted') this.withBody(topic, payload, Route.UpdateAccepted);
    else if (rest === 'update/rejected') this.withBody(topic, payload, Route.UpdateRejected);
  }

  onTimer(kind: number): void {
    this.timer = undefined;
    if (kind === TIMER_STEP && this.state === JobPhase.Running) this.runStep();
    else if (kind === TIMER_RETRY && this.state === JobPhase.Idle) this.requestNext();
  }

  private withBody(topic: string, payload: Buffer, route: Route): void {
    const doc = parseObject(payload);
    if (!doc) return this.problem('malformed', { topic }, 'ignored a jobs message that is not a JSON object');
    switch (route) {
      case Route.NotifyNext:
        return this.onNotifyNext(doc);
      case Route.StartNextAccepted:
        return this.onStartNext(doc);
      case Route.StartNextRejected:
        return this.onStartNextRejected(doc);
      case Route.UpdateAccepted:
        return this.onUpdateAccepted(doc);
      case Route.UpdateRejected:
        return this.onUpdateRejected(doc);
    }
  }

  private onNotifyNext(doc: JsonRecord): void {
    const head = isRecord(doc.execution) ? doc.execution : undefined;
    const job = this.job;
    // While it is IN_PROGRESS the running execution heads the pending list (§1.5), and replies and
    // notifications reach the device in the order the service sent them: a new head means it was
    // canceled with force, removed or deleted. Stop now rather than at the next update.
    if (this.state === JobPhase.Running && job && !this.isRunning(job, head)) return this.abandon(job);
    if (!head) return;
    if (this.state === JobPhase.Idle) this.requestNext();
    // Requesting too: the answer in flight may predate this job (the topics are not ordered).
    else if (this.state !== JobPhase.Offline) this.notified = true;
  }

  /** Whether the head names the running execution; a retry of the same job (timed out) does not. */
  private isRunning(job: ActiveJob, head: JsonRecord | undefined): boolean {
    if (head?.jobId !== job.jobId) return false;
    return typeof head.executionNumber !== 'number' || job.executionNumber === undefined || head.executionNumber === job.executionNumber;
  }

  private requestNext(): void {
    if (this.state === JobPhase.Offline) return;
    this.cancelTimer();
    this.state = JobPhase.Requesting;
    this.notified = false;
    const token = (this.startNextToken = this.nextToken());
    this.host.publish(`${this.prefix}/start-next`, `{"clientToken":"${token}"}`, 1);
  }

  private onStartNext(doc: JsonRecord): void {
    // Only the answer to the newest request counts: an older one may describe a stale queue.
    if (this.state !== JobPhase.Requesting || doc.clientToken !== this.startNextToken) return;
    this.startNextToken = undefined;
    if (isRecord(doc.execution)) return this.begin(doc.execution);
    this.job = undefined;
    this.goIdle();
  }

  private onStartNextRejected(doc: JsonRecord): void {
    if (this.state !== JobPhase.Requesting || doc.clientToken !== this.startNextToken) return;
    this.startNextToken = undefined;
    this.problem(`start-next ${String(doc.code)}`, { code: doc.code, message: doc.message }, 'start-next rejected');
    this.retryLater();
  }

  private begin(exec: JsonRecord): void {
    const jobId = exec.jobId;
    if (typeof jobId !== 'string' || !JOB_ID.test(jobId)) {
      this.problem('execution', { jobId }, 'start-next returned an execution without a valid jobId');
      return this.retryLater();
    }
    const executionNumber = typeof exec.executionNumber === 'number' ? exec.executionNumber : undefined;
    const resumed = this.job?.jobId === jobId ? this.job : undefined;
    const document = isRecord(exec.jobDocument) ? exec.jobDocument : undefined;
    const selection: Result<JobHandler, string> = document ? selectHandler(document) : err('the job document is not a JSON object');
    const handler = selection.ok ? selection.value : undefined;
    const job: ActiveJob = {
      jobId,
      executionNumber,
      document: document ?? {},
      ledBefore: resumed?.ledBefore ?? this.host.settings.ledColor,
      handler,
      updateTopic: resumed?.updateTopic ?? `${this.prefix}/${jobId}/update`,
      version: versionOf(exec.versionNumber),
      step: 0,
      tokensFrom: this.tokens + 1,
      token: '',
      final: undefined,
    };
    this.job = job;
    const reason = selection.ok ? selection.value.check(job.document) : selection.error;
    if (reason !== undefined) return this.finish(job, 'REJECTED', { reason });
    if (!resumed) this.host.ctx.counters.jobsStarted++;
    this.runStep();
  }

  private runStep(): void {
    const job = this.job;
    if (!job?.handler) return;
    let out: StepOutcome;
    try {
      out = job.handler.step(this.host, job, job.step++);
    } catch (e) {
      // A handler bug must not escape into the MQTT client; the operator sees it as a FAILED job.
      const message = e instanceof Error ? e.message : String(e);
      this.problem(`handler ${job.handler.name}`, { jobId: job.jobId, err: message }, 'job handler threw');
      return this.finish(job, 'FAILED', { reason: detailValue(`handler ${job.handler.name} failed: ${message}`) });
    }
    if (out.status !== 'IN_PROGRESS') return this.finish(job, out.status, out.statusDetails);
    this.state = JobPhase.Running;
    this.sendUpdate(job, 'IN_PROGRESS', out.statusDetails);
    this.timer = this.host.ctx.timers.schedule(this.host.ctx.clock.now() + out.waitMs, this, TIMER_STEP);
  }

  private finish(job: ActiveJob, status: TerminalStatus, details: StatusDetails): void {
    this.state = JobPhase.Finishing;
    job.final = status;
    this.sendUpdate(job, status, details);
  }

  private sendUpdate(job: ActiveJob, status: string, statusDetails: StatusDetails): void {
    const clientToken = (job.token = this.nextToken());
    const body = JSON.stringify({ status, statusDetails, expectedVersion: job.version, clientToken });
    // Every accepted update bumps the version (spec §2); a rejected one ends the run anyway.
    if (job.version !== undefined) job.version++;
    this.host.publish(job.updateTopic, body, 1);
  }

  private onUpdateAccepted(doc: JsonRecord): void {
    const job = this.job;
    if (!job || job.final === undefined || doc.clientToken !== job.token) return;
    const c = this.host.ctx.counters;
    if (job.final === 'SUCCEEDED') c.jobsSucceeded++;
    else if (job.final === 'FAILED') c.jobsFailed++;
    else c.jobsRejected++;
    this.job = undefined;
    this.requestNext();
  }

  private onUpdateRejected(doc: JsonRecord): void {
    const job = this.job;
    if (!job || !this.isTokenOf(job, doc.clientToken)) return;
    const code = typeof doc.code === 'string' ? doc.code : 'unknown';
    this.problem(`update ${code}`, { jobId: job.jobId, code, message: doc.message }, 'job update rejected; the device drops the execution');
    this.cancelTimer();
    if (job.final === undefined) job.handler?.abandon?.(this.host, job);
    this.job = undefined;
    if (MOVE_ON_CODES.has(code)) this.requestNext();
    else this.retryLater();
  }

  private abandon(job: ActiveJob): void {
    this.host.ctx.log.debug({ thing: this.host.thingName, jobId: job.jobId }, 'the running job execution is no longer pending; dropping it');
    this.cancelTimer();
    job.handler?.abandon?.(this.host, job);
    this.job = undefined;
    this.requestNext();
  }

  private isTokenOf(job: ActiveJob, token: unknown): boolean {
    return typeof token === 'string' && NUMERIC.test(token) && Number(token) >= job.tokensFrom && Number(token) <= this.tokens;
  }

  private goIdle(): void {
    this.state = JobPhase.Idle;
    if (this.notified) this.requestNext();
  }

  /**
   * After a rejection that asking again at once would only repeat (InvalidRequest, throttling,
   * an internal error), wait as long as the longest reconnect backoff before the next start-next.
   */
  private retryLater(): void {
    this.goIdle();
    if (this.state !== JobPhase.Idle) return;
    this.cancelTimer();
    this.timer = this.host.ctx.timers.schedule(this.host.ctx.clock.now() + this.host.ctx.device.reconnectMaxMs, this, TIMER_RETRY);
  }

  private cancelTimer(): void {
    this.host.ctx.timers.cancel(this.timer);
    this.timer = undefined;
  }

  private nextToken(): string {
    return String(++this.tokens);
  }

  /** Counts an error; warns once per kind per worker, then logs at debug only. */
  private problem(kind: string, details: Record<string, unknown>, message: string): void {
    const ctx = this.host.ctx;
    ctx.counters.errors++;
    const fields = { thing: this.host.thingName, ...details };
    if (warned.has(kind) || warned.size >= MAX_WARNED_KINDS) return ctx.log.debug(fields, message);
    warned.add(kind);
    ctx.log.warn(fields, `${message} (further ones of this kind are only counted)`);
  }
}
