/** A job's status (AWS's word, as text) in a badge whose colour repeats it. */
import type { JobStatusName } from '../../api/dashboard-jobs-types.js';

const JOB_STATUS_COLOURS: Record<JobStatusName, string> = {
  IN_PROGRESS: '#3e63dd',
  COMPLETED: '#218358',
  CANCELED: '#6f6e77',
  SCHEDULED: '#8e4ec6',
  DELETION_IN_PROGRESS: '#ce2c31',
};

export function JobStatus({ status, forced = false }: { status: JobStatusName; forced?: boolean }) {
  const colour = JOB_STATUS_COLOURS[status];
  return (
    <span class="badge job-status" style={{ borderColor: colour, color: colour }} data-status={status}>
      <span data-testid="job-status">{status}</span>
      {forced && <span class="job-status-forced"> · forced</span>}
    </span>
  );
}
