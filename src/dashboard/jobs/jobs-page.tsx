/** Every job, newest first: status, target selection, creation time and its things as a stacked bar. */
import type { JobListItem, JobsListResponse } from '../../api/dashboard-jobs-types.js';
import { call } from '../api.js';
import { href } from '../router.js';
import { formatTime } from '../ui.js';
import { targetOfArn } from './aws-job-types.js';
import { CountsBar, countsOfStatuses } from './counts-bar.js';
import { JobStatus } from './job-status.js';
import { usePolled } from '../use-polled.js';
import './jobs.css';

export function JobsPage() {
  const list = usePolled('jobs', () => call<JobsListResponse>('GET', '/_acfleet/jobs'));
  const jobs = list.data?.jobs;
  return (
    <section class="panel jobs-page" data-testid="jobs-page">
      <div class="jobs-head">
        <h1>
          Jobs {jobs && jobs.length > 0 && <span class="muted jobs-count">{jobs.length}</span>}
        </h1>
        <span class="grow" />
        <a class="btn btn-primary" href={href.createJob()} data-testid="jobs-create">
          + Create job
        </a>
      </div>
      {list.error && (
        <p class="form-error">
          Cannot load the jobs: {list.error.type}: {list.error.message}
        </p>
      )}
      {!jobs && !list.error && <p class="muted">Loading…</p>}
      {jobs && jobs.length === 0 && <EmptyJobs />}
      {jobs && jobs.length > 0 && (
        <table class="data jobs-table">
          <thead>
            <tr>
              <th>job</th>
              <th>status</th>
              <th>targets</th>
              <th>created (UTC)</th>
              <th class="jobs-progress-col">things</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <JobRow key={j.jobId} job={j} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function JobRow({ job }: { job: JobListItem }) {
  return (
    <tr data-testid="job-row" data-job-id={job.jobId}>
      <td class="job-id-cell">
        <a href={href.job(job.jobId)} class="job-link">
          {job.jobId}
        </a>
        {job.description && <div class="small muted job-desc">{job.description}</div>}
      </td>
      <td>
        <JobStatus status={job.status} forced={job.forceCanceled} />
        {job.status === 'CANCELED' && (job.reasonCode !== undefined || job.comment !== undefined) && (
          <div class="small muted job-reason" title={job.comment}>
            {job.reasonCode ?? 'canceled'}
          </div>
        )}
      </td>
      <td class="small">
        <TargetNames targets={job.targets} />
        <div class="muted">{job.targetSelection}</div>
      </td>
      <td class="nowrap small">{formatTime(job.createdAt)}</td>
      <td>
        <CountsBar counts={countsOfStatuses(job.counts, job.toRelease)} compact />
      </td>
    </tr>
  );
}

/** "group SaoPaulo", "thing London-00003"; a long list is cut short with a count. */
function TargetNames({ targets }: { targets: readonly string[] }) {
  const shown = targets.slice(0, 3).map((arn) => {
    const t = targetOfArn(arn);
    return t ? `${t.kind} ${t.name}` : arn;
  });
  return (
    <div class="job-targets" title={targets.join('\n')}>
      {shown.join(', ')}
      {targets.length > 3 ? ` +${targets.length - 3} more` : ''}
    </div>
  );
}

function EmptyJobs() {
  return (
    <div class="jobs-empty" data-testid="jobs-empty">
      <p class="jobs-empty-title">No jobs yet — Create job</p>
      <p class="muted">
        A job tells devices what to do, e.g. switch São Paulo to °C and a green LED. Create one with the form, or with the AWS CLI
        (<code>aws iot create-job …</code>); it appears here as it rolls out.
      </p>
      <a class="btn btn-primary" href={href.createJob()}>
        Create job
      </a>
    </div>
  );
}
