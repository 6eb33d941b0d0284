/**
 * A job's things as one stacked bar, final outcomes first, then what runs, what waits and what
 * the rollout has not released yet; with a legend that gives every number as text.
 */
import type { StatusCountsView } from '../../api/dashboard-jobs-types.js';
import { STATUS_COLOURS } from '../ui.js';
import type { JobProcessDetails } from './aws-job-types.js';

export interface JobCounts {
  succeeded: number;
  failed: number;
  timedOut: number;
  rejected: number;
  canceled: number;
  removed: number;
  inProgress: number;
  queued: number;
  toRelease: number;
}

interface Part {
  key: keyof JobCounts;
  label: string;
  colour: string;
  /** CSS class for a pattern, so the part is told apart by more than its colour. */
  pattern?: string;
}

export const COUNT_PARTS: readonly Part[] = [
  { key: 'succeeded', label: 'succeeded', colour: STATUS_COLOURS.SUCCEEDED },
  { key: 'failed', label: 'failed', colour: STATUS_COLOURS.FAILED },
  { key: 'timedOut', label: 'timed out', colour: STATUS_COLOURS.TIMED_OUT },
  { key: 'rejected', label: 'rejected', colour: STATUS_COLOURS.REJECTED },
  { key: 'canceled', label: 'canceled', colour: STATUS_COLOURS.CANCELED },
  { key: 'removed', label: 'removed', colour: STATUS_COLOURS.REMOVED },
  { key: 'inProgress', label: 'in progress', colour: STATUS_COLOURS.IN_PROGRESS, pattern: 'part-running' },
  { key: 'queued', label: 'queued', colour: STATUS_COLOURS.QUEUED },
  { key: 'toRelease', label: 'to release', colour: '#d9dbe1', pattern: 'part-unreleased' },
];

export function countsOfStatuses(c: StatusCountsView, toRelease: number): JobCounts {
  return {
    succeeded: c.SUCCEEDED,
    failed: c.FAILED,
    timedOut: c.TIMED_OUT,
    rejected: c.REJECTED,
    canceled: c.CANCELED,
    removed: c.REMOVED,
    inProgress: c.IN_PROGRESS,
    queued: c.QUEUED,
    toRelease,
  };
}

export function countsOfDetails(d: JobProcessDetails, toRelease: number): JobCounts {
  return {
    succeeded: d.numberOfSucceededThings,
    failed: d.numberOfFailedThings,
    timedOut: d.numberOfTimedOutThings,
    rejected: d.numberOfRejectedThings,
    canceled: d.numberOfCanceledThings,
    removed: d.numberOfRemovedThings,
    inProgress: d.numberOfInProgressThings,
    queued: d.numberOfQueuedThings,
    toRelease,
  };
}

const totalOf = (c: JobCounts): number => COUNT_PARTS.reduce((n, p) => n + c[p.key], 0);

/** `compact`: the legend lists only the non-zero parts (the jobs list); otherwise every part. */
export function CountsBar({ counts, compact = false }: { counts: JobCounts; compact?: boolean }) {
  const total = totalOf(counts);
  const done = counts.succeeded + counts.failed + counts.timedOut + counts.rejected + counts.canceled + counts.removed;
  const summary = COUNT_PARTS.filter((p) => counts[p.key] > 0)
    .map((p) => `${counts[p.key]} ${p.label}`)
    .join(', ');
  return (
    <div
      class={compact ? 'job-counts compact' : 'job-counts'}
      data-testid="job-counts"
      data-succeeded={counts.succeeded}
      data-in-progress={counts.inProgress}
      data-queued={counts.queued}
      data-failed={counts.failed}
      data-to-release={counts.toRelease}
    >
      <div class="job-counts-head small">
        <span class="job-counts-total">
          <strong>{done}</strong> of <strong>{total}</strong> finished
        </span>
        {total > 0 && <span class="muted">{Math.floor((done * 100) / total)}%</span>}
      </div>
      <div class="stacked-bar job-bar" role="img" aria-label={summary || 'no executions yet'}>
        {total > 0 &&
          COUNT_PARTS.filter((p) => counts[p.key] > 0).map((p) => (
            <span key={p.key} class={p.pattern} style={{ width: `${(counts[p.key] * 100) / total}%`, background: p.colour }} title={`${counts[p.key]} ${p.label}`} />
          ))}
      </div>
      <div class="legend">
        {COUNT_PARTS.filter((p) => !compact || counts[p.key] > 0).map((p) => (
          <span key={p.key} class="nowrap" data-part={p.key}>
            <span class={`swatch ${p.pattern ?? ''}`} style={{ background: p.colour }} />
            {p.label} <strong class="legend-num">{counts[p.key]}</strong>
          </span>
        ))}
      </div>
    </div>
  );
}
