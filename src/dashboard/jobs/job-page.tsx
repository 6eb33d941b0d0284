/**
 * One job: DescribeJob (status, targets, times, settings, counters), its per-minute progress
 * against the configured rate, where its abort criteria stand, its document, cancel, and its
 * executions. Everything is polled every couple of wall seconds.
 */
import type { JobProgressResponse } from '../../api/dashboard-jobs-types.js';
import { call, seg } from '../api.js';
import { href } from '../router.js';
import { formatTime } from '../ui.js';
import { AbortTable } from './abort-table.js';
import { targetOfArn, type DescribeJobResponse, type DescribedJob, type JobDocumentResponse } from './aws-job-types.js';
import { CancelJob } from './cancel-job.js';
import { CountsBar, countsOfDetails } from './counts-bar.js';
import { ExecutionsTable } from './executions-table.js';
import { JobConfig } from './job-config.js';
import { JobStatus } from './job-status.js';
import { ProgressChart } from './progress-chart.js';
import { usePolled } from '../use-polled.js';
import './jobs.css';

/** A job document never changes: asked again rarely, only to notice a job recreated under the same id. */
const DOCUMENT_POLL_MS = 30_000;

export function JobPage({ jobId }: { jobId: string }) {
  const described = usePolled(`job:${jobId}`, () => call<DescribeJobResponse>('GET', `/jobs/${seg(jobId)}`));
  const progress = usePolled(`progress:${jobId}`, () => call<JobProgressResponse>('GET', `/_acfleet/jobs/${seg(jobId)}/progress`));
  const document = usePolled(`doc:${jobId}`, () => call<JobDocumentResponse>('GET', `/jobs/${seg(jobId)}/job-document`), DOCUMENT_POLL_MS);
  const job = described.data?.job;
  const refresh = (): void => {
    described.refresh();
    progress.refresh();
  };

  if (!job) {
    return (
      <section class="panel job-page" data-testid="job-page">
        <a href={href.jobs()} class="small">
          ‹ All jobs
        </a>
        <h1>{jobId}</h1>
        {described.error ? (
          <p class="form-error" data-testid="job-error">
            {described.error.type}: {described.error.message}
          </p>
        ) : (
          <p class="muted">Loading…</p>
        )}
      </section>
    );
  }

  const p = progress.data;
  return (
    <div class="job-page" data-testid="job-page" data-job-id={jobId}>
      <section class="panel">
        <a href={href.jobs()} class="small">
          ‹ All jobs
        </a>
        <div class="job-title">
          <h1>{job.jobId}</h1>
          <JobStatus status={job.status} forced={job.forceCanceled} />
          <span class="grow" />
          <CancelJob job={job} onCanceled={refresh} />
        </div>
        {job.description && <p class="job-description">{job.description}</p>}
        {job.status === 'CANCELED' && (job.reasonCode !== undefined || job.comment !== undefined) && (
          <p class="job-canceled" data-testid="job-cancel-reason">
            Canceled{job.reasonCode !== undefined ? <> — <strong>{job.reasonCode}</strong></> : ''}
            {job.comment !== undefined ? `: ${job.comment}` : ''}
          </p>
        )}
        <JobFacts job={job} />
        <div class="job-counts-wrap">
          <CountsBar counts={countsOfDetails(job.jobProcessDetails, p?.toRelease ?? 0)} />
        </div>
      </section>

      <section class="panel">
        <div class="panel-head">
          <h2>Per minute</h2>
          <span class="muted small">
            simulated time, UTC{p && p.bucketMinutes > 1 ? ` · ${p.bucketMinutes}-minute buckets (a long job)` : ''}
            {p && p.rollout.kind === 'unlimited' ? ' · no rollout config: no rate limit' : ''}
          </span>
        </div>
        {p ? <ProgressChart progress={p} /> : progress.error ? <p class="form-error">{progress.error.message}</p> : <p class="muted">Loading…</p>}
        {p && (
          <p class="small muted chart-totals">
            {p.executions.total} executions in all (retries included): {p.executions.SUCCEEDED} succeeded, {p.executions.FAILED} failed, {p.executions.TIMED_OUT} timed out,{' '}
            {p.executions.REJECTED} rejected, {p.executions.CANCELED} canceled.
          </p>
        )}
      </section>

      <div class="job-columns">
        <section class="panel">
          <h2>Abort criteria</h2>
          {p ? <AbortTable criteria={p.abort} abortedByCriteria={job.reasonCode === 'ABORT_CRITERIA_MET'} /> : <p class="muted">Loading…</p>}
        </section>
        <section class="panel">
          <h2>Settings</h2>
          <JobConfig job={job} progress={p} documentSource={described.data?.documentSource} />
        </section>
      </div>

      <section class="panel">
        <h2>Job document</h2>
        {document.data ? <pre class="job-document" data-testid="job-document">{prettyJson(document.data.document)}</pre> : <p class="muted">{document.error ? document.error.message : 'Loading…'}</p>}
      </section>

      <section class="panel">
        <h2>Executions</h2>
        <ExecutionsTable jobId={jobId} changedAt={`${job.status}:${job.lastUpdatedAt}`} />
      </section>
    </div>
  );
}

function JobFacts({ job }: { job: DescribedJob }) {
  return (
    <dl class="job-facts">
      <dt>Targets</dt>
      <dd>
        {job.targets.map((t) => (
          <Target key={t} arn={t} />
        ))}{' '}
        <span class="muted small">({job.targetSelection})</span>
      </dd>
      <dt>Created</dt>
      <dd>{formatTime(job.createdAt)} UTC</dd>
      <dt>Last update</dt>
      <dd>{formatTime(job.lastUpdatedAt)} UTC</dd>
      <dt>Completed</dt>
      <dd>{job.completedAt !== undefined ? `${formatTime(job.completedAt)} UTC` : '—'}</dd>
    </dl>
  );
}

/** A thing links to its device page; a group is named as such. */
function Target({ arn }: { arn: string }) {
  const t = targetOfArn(arn);
  if (!t) return <code class="target">{arn}</code>;
  if (t.kind === 'thing') {
    return (
      <a class="target" href={href.device(t.name)} title={arn}>
        thing {t.name}
      </a>
    );
  }
  return (
    <span class="target" title={arn}>
      group <strong>{t.name}</strong>
    </span>
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
