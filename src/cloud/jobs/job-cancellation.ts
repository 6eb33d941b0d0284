/**
 * Canceling a job, however it is asked for: CancelJob (spec §3.2), an abort criterion met (§4.2)
 * or an endTime with CANCEL / FORCE_CANCEL (§4.5). The rollout stops (targets still pending never
 * get an execution), QUEUED executions are canceled, IN_PROGRESS ones only with `force`.
 */
import { applyServiceTransition } from './executions.js';
import type { ExecutionLedger } from './execution-ledger.js';
import type { Job } from './job.js';
import type { PendingTargets } from './pending-targets.js';

export interface CancelOptions {
  force: boolean;
  reasonCode?: string | undefined;
  comment?: string | undefined;
}

export function cancelJob(ledger: ExecutionLedger, pending: PendingTargets, job: Job, o: CancelOptions): Job {
  const now = ledger.nowMs();
  const canceled: Job = {
    ...job,
    status: 'CANCELED',
    forceCanceled: o.force || job.forceCanceled,
    ...(o.reasonCode !== undefined ? { reasonCode: o.reasonCode } : {}),
    ...(o.comment !== undefined ? { comment: o.comment } : {}),
    lastUpdatedAt: now,
  };
  // Stored first: no execution turning terminal below may complete the job instead, or retry.
  ledger.store.putJob(canceled);
  pending.drop(job.jobId);
  ledger.jobEvent('cancellation_in_progress', canceled);
  const nowSec = ledger.nowSec();
  for (const e of [...ledger.store.latestOfJob(job.jobId)]) {
    if (e.status !== 'QUEUED' && !(o.force && e.status === 'IN_PROGRESS')) continue;
    const next = applyServiceTransition(e, 'CANCELED', nowSec, { force: o.force });
    if (next.ok) ledger.replace(e, next.value);
  }
  ledger.jobEvent('canceled', canceled);
  return canceled;
}
