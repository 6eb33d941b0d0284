/**
 * Job execution timeouts (spec §4.3, §10 #47–49): when an IN_PROGRESS execution times out, how
 * long it has left, and the TIMED_OUT execution once it is due. Pure: time arrives as `nowSec`
 * (integer epoch seconds, like JobExecution's fields); whoever runs the timers calls `expire` at
 * the deadline, and can rebuild every timer after a restart from the stored executions alone.
 *
 * Two timers bound an execution:
 * - the in-progress timer, `timeoutConfig.inProgressTimeoutInMinutes`, runs from `startedAt`;
 * - the step timer, `stepTimeoutAt`, which `applyDeviceUpdate` sets from the `stepTimeoutInMinutes`
 *   of start-next or update (replacing the previous one; −1 clears it) and drops at terminal status.
 * The deadline is the earlier of the two, so a step timer never extends past the in-progress bound.
 */
import type { Result } from '../../core/result.js';
import { applyServiceTransition, type JobExecution, type JobsError } from './executions.js';

const SECONDS_PER_MINUTE = 60;

/**
 * Epoch seconds at which the in-progress timer fires, or undefined without one. Only a started
 * execution has one: the timer starts at IN_PROGRESS (`startedAt`).
 */
export function inProgressDeadline(exec: JobExecution, inProgressTimeoutMinutes: number | undefined): number | undefined {
  if (inProgressTimeoutMinutes === undefined || exec.startedAt === undefined) return undefined;
  return exec.startedAt + SECONDS_PER_MINUTE * inProgressTimeoutMinutes;
}

/**
 * The effective TIMED_OUT deadline (epoch s) of an IN_PROGRESS execution: the earlier of the
 * in-progress bound and the step timer (§4.3: with a 20-minute timer from 12:00, a 7-minute step
 * at 12:05 → 12:12, a 5-minute step at 12:10 → 12:15, a 9-minute step at 12:13 → 12:20, not
 * 12:22). Undefined when the execution is not IN_PROGRESS or no timer applies: timers start at
 * IN_PROGRESS and stop at terminal status.
 *
 * `inProgressTimeoutMinutes` is the job's `timeoutConfig.inProgressTimeoutInMinutes` (already
 * validated, 1–10080); the job fixes it once executions start, so it is the same for every run.
 */
export function executionDeadline(exec: JobExecution, inProgressTimeoutMinutes: number | undefined): number | undefined {
  if (exec.status !== 'IN_PROGRESS') return undefined;
  const bound = inProgressDeadline(exec, inProgressTimeoutMinutes);
  const step = exec.stepTimeoutAt;
  if (bound === undefined) return step;
  if (step === undefined) return bound;
  return Math.min(bound, step);
}

/**
 * `approximateSecondsBeforeTimedOut` of a described execution (§1.3, §10 #49): seconds from `nowSec`
 * to the deadline, never negative (a due execution not yet expired reports 0). Undefined (so the
 * field is omitted) when the execution is not IN_PROGRESS or no timer runs. AWS may fire up to a
 * minute late; the emulator is exact, so this is exact too.
 */
export function secondsBeforeTimedOut(
  exec: JobExecution,
  inProgressTimeoutMinutes: number | undefined,
  nowSec: number,
): number | undefined {
  const deadline = executionDeadline(exec, inProgressTimeoutMinutes);
  return deadline === undefined ? undefined : Math.max(0, deadline - nowSec);
}

/**
 * The execution's timeout, if due: once the deadline has passed (deadline ≤ `nowSec`) an
 * IN_PROGRESS execution becomes TIMED_OUT through the state machine (version +1, step timer
 * dropped, `lastUpdatedAt` = `nowSec`). Undefined when nothing is due: not IN_PROGRESS, no timer,
 * or the deadline still ahead. The result is a Result, as every transition is, although
 * IN_PROGRESS → TIMED_OUT is always allowed; the caller stores it through the ledger, which
 * notifies the thing and publishes the `timed_out` event (§10 #47), then asks `nextRetry`.
 */
export function expire(
  exec: JobExecution,
  inProgressTimeoutMinutes: number | undefined,
  nowSec: number,
): Result<JobExecution, JobsError> | undefined {
  const deadline = executionDeadline(exec, inProgressTimeoutMinutes);
  if (deadline === undefined || deadline > nowSec) return undefined;
  return applyServiceTransition(exec, 'TIMED_OUT', nowSec);
}
