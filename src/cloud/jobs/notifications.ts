/**
 * Pending-list views of a thing's job executions (spec §1.3 `get`, §1.5 `notify`/`notify-next`)
 * and the decision which of the two notifications one change triggers. Pure: time arrives as
 * `nowSec` (integer epoch seconds) and nothing here publishes; the Jobs service feeds it the
 * thing's executions before and after each change and sends whatever it returns.
 *
 * Callers exclude executions of SCHEDULED jobs before calling (§1.3, §4.5): whether a job is
 * scheduled lives on the job, not on the execution.
 */
import type { JobExecution, JobExecutionStatus } from './executions.js';

/** Cap on each summary list in `get/accepted` and `notify` (§1.3, §1.5). */
export const PENDING_LIST_MAX_ENTRIES = 10;

/** The `get`/`notify` summary (§1.3). */
export interface JobExecutionSummary {
  jobId: string;
  queuedAt: number;
  startedAt?: number;
  lastUpdatedAt: number;
  versionNumber: number;
  executionNumber: number;
}

export interface GetPendingAcceptedPayload {
  inProgressJobs: JobExecutionSummary[];
  queuedJobs: JobExecutionSummary[];
  timestamp: number;
  clientToken?: string;
}

export interface NotifyPayload {
  timestamp: number;
  jobs: { IN_PROGRESS?: JobExecutionSummary[]; QUEUED?: JobExecutionSummary[] };
}

/** The full execution as sent over MQTT: `jobDocument` is an object there, a string only over HTTPS (§1.3, §6). */
export interface JobExecutionData {
  jobId: string;
  thingName: string;
  status: JobExecutionStatus;
  statusDetails: Record<string, string>;
  queuedAt: number;
  startedAt?: number;
  lastUpdatedAt: number;
  /** Only while IN_PROGRESS under an in-progress or step timer (§4.3). */
  approximateSecondsBeforeTimedOut?: number;
  versionNumber: number;
  executionNumber: number;
  /** Left out when the request asked for no document (`includeJobDocument: false`). */
  jobDocument?: object;
}

export interface NotifyNextPayload {
  timestamp: number;
  execution?: JobExecutionData;
}

export interface PendingHead {
  execution: JobExecution;
  /** Already placeholder-substituted (§7); passed through, not copied. */
  jobDocument: object;
}

export interface NotificationDecision {
  notify: boolean;
  notifyNext: boolean;
}

const isPending = (e: JobExecution): boolean => e.status === 'QUEUED' || e.status === 'IN_PROGRESS';

/**
 * The thing's pending list (§1.5): QUEUED + IN_PROGRESS, IN_PROGRESS first, then queuedAt
 * ascending. Equal queuedAt keeps the input order (Array.prototype.sort is stable), so callers
 * should pass executions in creation order — that is start-next's "creation order" tie-break.
 * Head = element 0 = what `$next` / start-next picks.
 */
export function pendingList(executions: readonly JobExecution[]): JobExecution[] {
  const rank = (e: JobExecution): number => (e.status === 'IN_PROGRESS' ? 0 : 1);
  return executions.filter(isPending).sort((a, b) => rank(a) - rank(b) || a.queuedAt - b.queuedAt);
}

export function executionSummary(e: JobExecution): JobExecutionSummary {
  return {
    jobId: e.jobId,
    queuedAt: e.queuedAt,
    ...(e.startedAt !== undefined ? { startedAt: e.startedAt } : {}),
    lastUpdatedAt: e.lastUpdatedAt,
    versionNumber: e.versionNumber,
    executionNumber: e.executionNumber,
  };
}

/** Splits an ordered pending list by status, each part capped, keeping the pending order. */
function summariesByStatus(pending: readonly JobExecution[], status: 'IN_PROGRESS' | 'QUEUED'): JobExecutionSummary[] {
  return pending
    .filter((e) => e.status === status)
    .slice(0, PENDING_LIST_MAX_ENTRIES)
    .map(executionSummary);
}

/**
 * The `get/accepted` body (§1.3). Terminal executions never appear (§10 #4). The 10-entry cap
 * applies to each list separately, as §1.3 states it per list.
 */
export function getPendingAccepted(
  executions: readonly JobExecution[],
  nowSec: number,
  clientToken?: string,
): GetPendingAcceptedPayload {
  const pending = pendingList(executions);
  return {
    inProgressJobs: summariesByStatus(pending, 'IN_PROGRESS'),
    queuedJobs: summariesByStatus(pending, 'QUEUED'),
    timestamp: nowSec,
    // Omitted, not null/empty, when the request had none (§1.2, §10 #1).
    ...(clientToken !== undefined ? { clientToken } : {}),
  };
}

/**
 * The `notify` body (§1.5). `pending` should be a `pendingList` result; the status split keeps
 * its order. The cap is per status key, the same reading as `get`'s per-list cap, since §1.5
 * says the summaries are "as in get". Empty → `"jobs":{}` (keys only for non-empty statuses).
 */
export function notifyPayload(pending: readonly JobExecution[], nowSec: number): NotifyPayload {
  const inProgress = summariesByStatus(pending, 'IN_PROGRESS');
  const queued = summariesByStatus(pending, 'QUEUED');
  return {
    timestamp: nowSec,
    jobs: {
      ...(inProgress.length > 0 ? { IN_PROGRESS: inProgress } : {}),
      ...(queued.length > 0 ? { QUEUED: queued } : {}),
    },
  };
}

/** The full execution shape of start-next / `{jobId}/get` / notify-next (§1.3), field order as there. */
export function executionData(execution: JobExecution, jobDocument?: object, secondsBeforeTimedOut?: number): JobExecutionData {
  const e = execution;
  return {
    jobId: e.jobId,
    thingName: e.thingName,
    status: e.status,
    // Copied so a later mutation of the payload can never reach stored state.
    statusDetails: { ...e.statusDetails },
    queuedAt: e.queuedAt,
    ...(e.startedAt !== undefined ? { startedAt: e.startedAt } : {}),
    lastUpdatedAt: e.lastUpdatedAt,
    ...(secondsBeforeTimedOut !== undefined ? { approximateSecondsBeforeTimedOut: secondsBeforeTimedOut } : {}),
    versionNumber: e.versionNumber,
    executionNumber: e.executionNumber,
    ...(jobDocument !== undefined ? { jobDocument } : {}),
  };
}

/** The `notify-next` body (§1.5): no `execution` key at all when nothing is pending (§10 #24). */
export function notifyNextPayload(head: PendingHead | undefined, nowSec: number): NotifyNextPayload {
  if (head === undefined) return { timestamp: nowSec };
  return { timestamp: nowSec, execution: executionData(head.execution, head.jobDocument) };
}

/** Identity of an execution across a change: a retry is a new execution of the same job (§4.4). */
const executionKey = (e: JobExecution): string => JSON.stringify([e.jobId, e.executionNumber]);

/**
 * Which notifications ONE change to a thing's executions triggers (§1.5 table, §10 #20–25).
 * `before`/`after` hold all of the thing's executions, any status.
 *
 * Rule, from comparing pending lists P(before) and P(after) by (jobId, executionNumber):
 * - notify     ⇔ the SET of pending executions changed (something joined or left the list);
 * - notifyNext ⇔ the identity of the head changed (including to/from "no head").
 *
 * Checked against every row of the table:
 * - new QUEUED execution: set grows → notify; head changes only if it became head.
 * - head QUEUED→IN_PROGRESS: same set, same head → neither (the table deliberately overrides
 *   AWS prose that implies a list notification on any status change; its worked example sends none).
 * - non-head QUEUED→IN_PROGRESS: same set → no notify; it moves ahead of all QUEUED ones, so
 *   notifyNext exactly when it overtakes the old head (no older IN_PROGRESS in front of it).
 * - IN_PROGRESS progress update: same set, same head → neither, even though the head's
 *   content changed.
 * - pending → terminal or deleted: set shrinks → notify; head changes only if it was the head.
 * Changes to already-terminal executions touch neither list, so they trigger nothing.
 */
export function notificationsFor(before: readonly JobExecution[], after: readonly JobExecution[]): NotificationDecision {
  const pb = pendingList(before).map(executionKey);
  const pa = pendingList(after).map(executionKey);
  const setB = new Set(pb);
  const setA = new Set(pa);
  const notify = setB.size !== setA.size || pb.some((k) => !setA.has(k));
  const notifyNext = pb[0] !== pa[0];
  return { notify, notifyNext };
}
