/**
 * Drives every job's rollout on the injected clock (spec §4.1, §4.5): starts SCHEDULED jobs at
 * their startTime, releases pending targets at the configured rate while the schedule is open,
 * pauses between maintenance windows, and applies the endBehavior at endTime. The rules are the
 * pure modules' (rollout.ts, schedule.ts); this class keeps one timer per job and the stored
 * state that lets a restarted cloud carry on where it stopped.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { Result } from '../../core/result.js';
import type { ControlPlaneError } from '../control-plane-error.js';
import type { TargetResolver } from '../registry/target-resolver.js';
import { MAX_TIMER_STEP_MS } from './deadline-queue.js';
import { newExecution } from './executions.js';
import type { ExecutionLedger } from './execution-ledger.js';
import { jobReaches } from './continuous-targets.js';
import { cancelJob } from './job-cancellation.js';
import type { Job, JobRollout } from './job.js';
import type { PendingTargets } from './pending-targets.js';
import { ReleaseWindow } from './release-window.js';
import { planRelease, resumeSegment, type RolloutSegment } from './rollout.js';
import { endBehaviorAt, rolloutGate } from './schedule.js';

/** Most executions created in one go; a larger release continues on the next turn. */
const RELEASE_CHUNK = 500;

export interface RolloutEngineDeps {
  ledger: ExecutionLedger;
  pending: PendingTargets;
  targets: TargetResolver;
  clock: Clock;
  isRegistered(thing: string): boolean;
  /** Target ARNs → thing names, as CreateJob resolves them. */
  resolveTargets(targets: readonly string[]): Result<string[], ControlPlaneError>;
}

export class RolloutEngine {
  private readonly timers = new Map<string, TimerHandle>();
  /** Jobs whose rate must resume without a backlog: after a restart, or when a window reopens. */
  private readonly paused = new Set<string>();
  private readonly windows = new Map<string, ReleaseWindow>();

  constructor(private readonly d: RolloutEngineDeps) {}

  /** Picks up every stored job that is scheduled or still rolling out (at start, after a restart). */
  resumeAll(): void {
    for (const job of [...this.d.ledger.store.allJobs()]) {
      if (job.status !== 'SCHEDULED' && job.status !== 'IN_PROGRESS') continue;
      this.paused.add(job.jobId);
      this.wake(job.jobId);
    }
  }

  /** A new job: `things` are its targets when it starts now, none when it is SCHEDULED. */
  begin(job: Job, things: readonly string[]): void {
    if (job.status === 'IN_PROGRESS') this.enqueue(job, things);
    this.wake(job.jobId);
  }

  /** Looks at the job again soon: progress or its config changed (a success may raise the rate). */
  poke(jobId: string): void {
    if (this.timers.has(jobId) || this.d.pending.count(jobId) > 0 || this.d.ledger.store.job(jobId)?.status === 'SCHEDULED') this.arm(jobId, this.d.clock.now());
  }

  /** Targets still to be released (the job is "processing" them, §3.4). */
  pendingCount(jobId: string): number {
    return this.d.pending.count(jobId);
  }

  /** The job is gone: forget its timer and waiting targets. */
  forget(jobId: string): void {
    this.d.clock.clearTimeout(this.timers.get(jobId));
    this.timers.delete(jobId);
    this.paused.delete(jobId);
    this.windows.delete(jobId);
    this.d.pending.drop(jobId);
  }

  close(): void {
    for (const t of this.timers.values()) this.d.clock.clearTimeout(t);
    this.timers.clear();
  }

  private wake(jobId: string): void {
    this.d.clock.clearTimeout(this.timers.get(jobId));
    this.timers.delete(jobId);
    let job = this.d.ledger.store.job(jobId);
    if (!job) return;
    const now = this.d.clock.now();
    if (job.status === 'SCHEDULED') {
      if (job.startsAt !== undefined && now < job.startsAt) return this.arm(jobId, job.startsAt);
      job = this.start(job);
    }
    if (job.status !== 'IN_PROGRESS') return this.forgetTimerOnly(jobId);

    const gate = rolloutGate(job.schedulingConfig, now);
    if (gate.phase === 'ended') return this.end(job, now);
    let wakeAt = gate.nextChangeMs;
    if (gate.phase === 'open' && this.d.pending.count(jobId) > 0 && job.rollout?.stopped !== true) {
      const next = this.release(job, now);
      if (next !== undefined && (wakeAt === undefined || next < wakeAt)) wakeAt = next;
    } else if (gate.phase === 'closed-window') {
      this.paused.add(jobId);
    }
    if (wakeAt !== undefined) this.arm(jobId, wakeAt);
    this.d.ledger.completeIfDone(jobId);
  }

  /** SCHEDULED → IN_PROGRESS at startTime; targets are resolved now, as AWS does at the start. */
  private start(job: Job): Job {
    const started: Job = { ...job, status: 'IN_PROGRESS', lastUpdatedAt: this.d.clock.now() };
    const things = this.d.resolveTargets(started.targets);
    return this.enqueue(started, things.ok ? things.value : []);
  }

  private enqueue(job: Job, things: readonly string[]): Job {
    const withRollout: Job = { ...job, rollout: { total: things.length } };
    this.d.ledger.store.putJob(withRollout);
    this.d.pending.add(job.jobId, things);
    return withRollout;
  }

  /** Releases what the rate allows now; returns when the next release falls due. */
  private release(job: Job, now: number): number | undefined {
    const { ledger, pending } = this.d;
    const rollout: JobRollout = job.rollout ?? { total: pending.count(job.jobId) };
    let segment: RolloutSegment | undefined = rollout.segment;
    const waiting = pending.count(job.jobId);
    const released = rollout.total - waiting;
    if (segment && this.paused.has(job.jobId)) segment = resumeSegment(segment, released, now);
    this.paused.delete(job.jobId);
    const plan = planRelease(job.jobExecutionsRolloutConfig, segment, { notified: released, succeeded: ledger.store.counts(job.jobId).SUCCEEDED }, waiting, now);

    let window = this.windows.get(job.jobId);
    if (!window) this.windows.set(job.jobId, (window = new ReleaseWindow()));
    const rate = plan.segment.rate;
    const allowed = Math.min(plan.release, RELEASE_CHUNK, window.room(rate, now));
    let made = 0;
    let skipped = 0;
    const nowSec = ledger.nowSec();
    while (made < allowed) {
      const thing = pending.shift(job.jobId);
      if (thing === undefined) break;
      if (!this.stillTargeted(job, thing)) {
        skipped++;
        continue;
      }
      const previous = ledger.store.find(job.jobId, thing);
      ledger.add(newExecution({ jobId: job.jobId, thingName: thing, executionNumber: (previous?.executionNumber ?? 0) + 1, retryAttempt: 0, nowSec }));
      made++;
    }
    window.record(now, made);
    const kept = plan.segment.rate === Infinity ? undefined : plan.segment;
    if (skipped > 0 || kept !== rollout.segment) {
      const current = ledger.store.job(job.jobId) ?? job;
      const next: JobRollout = { ...rollout, total: rollout.total - skipped };
      if (kept) next.segment = kept;
      ledger.store.putJob({ ...current, rollout: next });
    }
    if (pending.count(job.jobId) === 0) {
      this.windows.delete(job.jobId);
      return undefined;
    }
    // Late timers found a backlog: it goes out as fast as the minute behind allows, no faster.
    if (plan.release > made && window.room(rate, now) === 0) return window.nextRoomAt(rate, now);
    // A big release continues on the next turn, so the broker and HTTP API get a look in.
    if (plan.release > made) return now;
    return plan.nextAtMs;
  }

  /**
   * Whether a pending target still gets an execution: it exists, has none of this job already
   * (a CONTINUOUS joiner gets one at once), and, for CONTINUOUS jobs, is still in a target.
   */
  private stillTargeted(job: Job, thing: string): boolean {
    if (!this.d.isRegistered(thing)) return false;
    const latest = this.d.ledger.store.find(job.jobId, thing);
    if (latest && latest.status !== 'REMOVED') return false;
    if (job.targetSelection !== 'CONTINUOUS') return true;
    return jobReaches(job, thing, this.d.targets.groupsReaching(thing));
  }

  /** endTime reached (§4.5): stop the rollout, or cancel the job (with force for FORCE_CANCEL). */
  private end(job: Job, now: number): void {
    this.forgetTimerOnly(job.jobId);
    const behavior = endBehaviorAt(job.schedulingConfig, now) ?? 'STOP_ROLLOUT';
    if (behavior === 'STOP_ROLLOUT') {
      if (job.rollout?.stopped === true) return;
      this.d.pending.drop(job.jobId);
      this.d.ledger.store.putJob({ ...job, rollout: { ...(job.rollout ?? { total: 0 }), stopped: true }, lastUpdatedAt: now });
      this.d.ledger.completeIfDone(job.jobId);
      return;
    }
    cancelJob(this.d.ledger, this.d.pending, job, { force: behavior === 'FORCE_CANCEL', comment: `The job reached its end time (${job.schedulingConfig?.endTime ?? ''}), endBehavior ${behavior}` });
  }

  private arm(jobId: string, atMs: number): void {
    this.d.clock.clearTimeout(this.timers.get(jobId));
    // In steps of at most a day: a start a year ahead is beyond one Node timer (2^31 ms).
    const wait = Math.min(Math.max(0, atMs - this.d.clock.now()), MAX_TIMER_STEP_MS);
    this.timers.set(
      jobId,
      this.d.clock.setTimeout(() => this.wake(jobId), wait),
    );
  }

  private forgetTimerOnly(jobId: string): void {
    this.d.clock.clearTimeout(this.timers.get(jobId));
    this.timers.delete(jobId);
    this.paused.delete(jobId);
    this.windows.delete(jobId);
  }
}
