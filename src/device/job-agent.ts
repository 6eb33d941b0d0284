/**
 * The device's AWS IoT Jobs agent, over the exact device-side topics (spec §1), so it runs
 * unchanged against AWS IoT Core: start-next on every connect, notify-next for new work, one
 * execution at a time, each run by the handler its document selects.
 */
import type { GroupRuntime, TimerEntry, TimerTarget } from './context.js';
import { detailValue, failed, type JobHost, type Resume, type StatusDetails, type StepOutcome } from './handlers/handler.js';
import type { JobHandler } from './handlers/index.js';
import { INJECTED, namesRun, runWork, startRun, takeOnly, type ActiveJob, type TerminalStatus } from './job-run.js';
import { isRecord, parseObject, type JsonRecord } from './json.js';
import { reportProblem } from './problems.js';

/** What the agent needs of its device. */
export interface JobAgentHost extends JobHost {
  /** Its group's injected faults decide how each execution goes. */
  readonly group: GroupRuntime;
  publish(topic: string, payload: string, qos?: 0 | 1): void;
  /** Goes down and comes back after its boot time: 'reboot' disconnects cleanly, 'crash' just drops the connection. */
  restart(how: 'reboot' | 'crash'): void;
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
  /** The update announcing a reboot is sent; the device restarts once the service has it. */
  Rebooting: 5,
} as const;
export type JobPhase = (typeof JobPhase)[keyof typeof JobPhase];

const TIMER_STEP = 1;
const TIMER_RETRY = 2;
/** The handler's async work took too long. */
const TIMER_WORK = 3;
/** An injected crash is due. */
const TIMER_CRASH = 4;

/** The reply topics the agent reads. */
const Route = { NotifyNext: 0, StartNextAccepted: 1, StartNextRejected: 2, UpdateAccepted: 3, UpdateRejected: 4 } as const;
type Route = (typeof Route)[keyof typeof Route];

/** Rejections meaning the execution is gone or changed under the device: drop it, ask for the next. */
const MOVE_ON_CODES: ReadonlySet<string> = new Set(['InvalidStateTransition', 'ResourceNotFound', 'VersionMismatch']);

const JOB_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const NUMERIC = /^[0-9]+$/;

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

  /**
   * The step timer and any async work stop: the execution reruns from step 0 once start-next
   * hands it back, and its handler resumes from the statusDetails it last reported.
   */
  onDisconnected(): void {
    this.state = JobPhase.Offline;
    this.cancelTimer();
    this.stopWork(this.job);
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
    const job = this.job;
    if (kind === TIMER_RETRY && this.state === JobPhase.Idle) return this.requestNext();
    if (this.state !== JobPhase.Running || !job) return;
    if (kind === TIMER_STEP) this.runStep(job);
    else if (kind === TIMER_WORK) this.failRun(job, `step ${job.details.step ?? String(job.step)} timed out on the device`);
    else if (kind === TIMER_CRASH) this.crash(job);
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
    if (this.state === JobPhase.Running && job && !namesRun(head, job)) return this.abandon(job);
    if (!head) return;
    if (this.state === JobPhase.Idle) this.requestNext();
    // Requesting too: the answer in flight may predate this job (the topics are not ordered).
    else if (this.state !== JobPhase.Offline) this.notified = true;
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
    const ctx = this.host.ctx;
    const { job, resumed, rejection } = startRun(exec, jobId, this.job, {
      prefix: this.prefix,
      tokensFrom: this.tokens + 1,
      ledNow: this.host.settings.ledColor,
      jobStepMs: ctx.device.jobStepMs,
      now: ctx.clock.now(),
      fateOf: (id, n) => this.host.group.faults.execution(this.host.thingName, id, n),
    });
    this.job = job;
    if (rejection !== undefined) return this.finish(job, 'REJECTED', { reason: detailValue(rejection) });
    if (!resumed) ctx.counters.jobsStarted++;
    this.runStep(job);
  }

  private runStep(job: ActiveJob): void {
    // An injected failure strikes after the device has taken the job.
    if (job.took && job.fate.fault === 'fail') return this.failRun(job, INJECTED.fail);
    this.process(job, this.call(job, (h) => h.step(this.host, job, job.step++)));
  }

  /** Runs handler code; a handler bug must not escape into the MQTT client: the operator sees a FAILED job. */
  private call(job: ActiveJob, f: (handler: JobHandler) => StepOutcome): StepOutcome {
    const handler = job.handler;
    if (!handler) return failed('no handler takes this document');
    try {
      return f(handler);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.problem(`handler ${handler.name}`, { jobId: job.jobId, err: message }, 'job handler threw');
      return failed(`handler ${handler.name} failed: ${message}`);
    }
  }

  private process(job: ActiveJob, outcome: StepOutcome): void {
    const out = !job.took && (job.fate.fault === 'fail' || job.fate.fault === 'hang') ? takeOnly(outcome, job.stepMs) : outcome;
    switch (out.status) {
      case 'SUCCEEDED':
      case 'FAILED':
        return this.finish(job, out.status, out.statusDetails);
      case 'REBOOT':
        this.state = JobPhase.Rebooting;
        return this.report(job, out.statusDetails, out.stepTimeoutInMinutes);
      case 'AWAIT':
        this.state = JobPhase.Running;
        if (out.statusDetails) this.report(job, out.statusDetails, out.stepTimeoutInMinutes);
        return this.startWork(job, out.work, out.timeoutMs);
      case 'IN_PROGRESS':
        this.state = JobPhase.Running;
        this.report(job, out.statusDetails, out.stepTimeoutInMinutes);
        // A hung device has taken the job and never reports again (until it is taken away).
        if (job.fate.fault !== 'hang') this.arm(this.host.ctx.clock.now() + out.waitMs, TIMER_STEP);
    }
  }

  private startWork(job: ActiveJob, work: (signal: AbortSignal) => Promise<Resume>, timeoutMs: number): void {
    const controller = new AbortController();
    job.work = controller;
    this.arm(this.host.ctx.clock.now() + timeoutMs, TIMER_WORK);
    void runWork(work, controller.signal).then((result) => this.workDone(job, controller, result));
  }

  /** Applies the work's result, unless the run stopped meanwhile (abandoned, offline, timed out). */
  private workDone(job: ActiveJob, controller: AbortController, result: Resume | Error): void {
    if (this.job !== job || job.work !== controller || this.state !== JobPhase.Running) return;
    job.work = undefined;
    this.cancelTimer();
    if (result instanceof Error) return this.failRun(job, result.message);
    this.process(job, this.call(job, () => result(this.host, job)));
  }

  private stopWork(job: ActiveJob | undefined): void {
    if (!job?.work) return;
    job.work.abort();
    job.work = undefined;
  }

  /** FAILED for a reason of the agent's (injected, timed out): the handler first undoes what the run changed. */
  private failRun(job: ActiveJob, reason: string): void {
    this.halt(job, true);
    this.finish(job, 'FAILED', { reason: detailValue(reason) });
  }

  /** The injected crash: the device dies without a word and comes back after its boot time. */
  private crash(job: ActiveJob): void {
    job.crashDue = undefined;
    job.crashed = true;
    this.stopWork(job);
    this.host.ctx.log.debug({ thing: this.host.thingName, jobId: job.jobId }, 'injected fault: the device crashes mid-job');
    this.host.restart('crash');
  }

  private finish(job: ActiveJob, status: TerminalStatus, details: StatusDetails): void {
    this.cancelTimer();
    this.state = JobPhase.Finishing;
    job.final = status;
    this.sendUpdate(job, status, details, undefined);
  }

  /** An IN_PROGRESS update: the device has taken the job, and a resumed run will start from `details`. */
  private report(job: ActiveJob, details: StatusDetails, stepTimeoutInMinutes: number | undefined): void {
    job.took = true;
    job.details = details;
    this.sendUpdate(job, 'IN_PROGRESS', details, stepTimeoutInMinutes);
  }

  private sendUpdate(job: ActiveJob, status: string, statusDetails: StatusDetails, stepTimeoutInMinutes: number | undefined): void {
    const clientToken = (job.token = this.nextToken());
    const body = JSON.stringify({ status, statusDetails, expectedVersion: job.version, stepTimeoutInMinutes, clientToken });
    // Every accepted update bumps the version (spec §2); a rejected one ends the run anyway.
    if (job.version !== undefined) job.version++;
    this.host.publish(job.updateTopic, body, 1);
  }

  private onUpdateAccepted(doc: JsonRecord): void {
    const job = this.job;
    if (!job || doc.clientToken !== job.token) return;
    // The service knows the device is rebooting, and start-next will say so after the reboot.
    if (this.state === JobPhase.Rebooting) return this.host.restart('reboot');
    if (job.final === undefined) return;
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
    this.halt(job, job.final === undefined);
    this.job = undefined;
    if (MOVE_ON_CODES.has(code)) this.requestNext();
    else this.retryLater();
  }

  private abandon(job: ActiveJob): void {
    this.host.ctx.log.debug({ thing: this.host.thingName, jobId: job.jobId }, 'the running job execution is no longer pending; dropping it');
    this.halt(job, true);
    this.job = undefined;
    this.requestNext();
  }

  /** Stops the run's timer and async work; with `undo`, the handler takes back what the run changed. */
  private halt(job: ActiveJob, undo: boolean): void {
    this.cancelTimer();
    this.stopWork(job);
    if (undo) this.undo(job);
  }

  /** The handler undoes what the run changed; its bug is counted, not thrown. */
  private undo(job: ActiveJob): void {
    try {
      job.handler?.abandon?.(this.host, job);
    } catch (e) {
      this.problem(`abandon ${job.handler?.name ?? ''}`, { jobId: job.jobId, err: e instanceof Error ? e.message : String(e) }, 'job handler failed to undo its changes');
    }
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

  /** Schedules the agent's one timer; an injected crash due earlier takes its place. */
  private arm(due: number, kind: number): void {
    const crash = this.job?.crashDue;
    this.cancelTimer();
    this.timer = crash !== undefined && crash <= due ? this.host.ctx.timers.schedule(crash, this, TIMER_CRASH) : this.host.ctx.timers.schedule(due, this, kind);
  }

  private cancelTimer(): void {
    this.host.ctx.timers.cancel(this.timer);
    this.timer = undefined;
  }

  private nextToken(): string {
    return String(++this.tokens);
  }

  private problem(kind: string, details: Record<string, unknown>, message: string): void {
    reportProblem(this.host.ctx, this.host.thingName, kind, details, message);
  }
}
