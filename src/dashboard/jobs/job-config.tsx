/** A job's rollout, timeout, retry, scheduling and document settings in words, as DescribeJob gives them. */
import type { ComponentChildren } from 'preact';
import type { JobProgressResponse, RolloutConfigView } from '../../api/dashboard-jobs-types.js';
import type { DescribedJob } from './aws-job-types.js';

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function rolloutInWords(config: RolloutConfigView | undefined): string {
  if (!config) return 'No rollout config: every target is released at once.';
  const max = config.maximumPerMinute ?? 1000;
  const exp = config.exponentialRate;
  if (!exp) return `Constant: at most ${max} per minute, evenly spaced.`;
  const c = exp.rateIncreaseCriteria;
  const when = [
    c.numberOfNotifiedThings !== undefined ? `${plural(c.numberOfNotifiedThings, 'thing')} are notified` : undefined,
    c.numberOfSucceededThings !== undefined ? `${plural(c.numberOfSucceededThings, 'thing')} succeed` : undefined,
  ]
    .filter((s) => s !== undefined)
    .join(' or ');
  return `Exponential: from ${exp.baseRatePerMinute} per minute, × ${exp.incrementFactor} each time ${when}, up to ${max} per minute.`;
}

function Row({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

export function JobConfig({ job, progress, documentSource }: { job: DescribedJob; progress: JobProgressResponse | undefined; documentSource: string | undefined }) {
  const rate = progress?.rollout.currentRate;
  const retries = job.jobExecutionsRetryConfig?.criteriaList ?? [];
  const s = job.schedulingConfig;
  return (
    <dl class="job-config">
      <Row label="Rollout">
        {rolloutInWords(job.jobExecutionsRolloutConfig)}
        {progress && job.jobExecutionsRolloutConfig && (
          <span class="muted">
            {' '}
            Now {rate === null ? 'unlimited' : `${rate} per minute`} ({progress.rollout.notified} released, {progress.rollout.succeeded} succeeded
            {progress.toRelease > 0 ? `, ${progress.toRelease} still to release` : ''}).
          </span>
        )}
      </Row>
      <Row label="Timeout">
        {job.timeoutConfig?.inProgressTimeoutInMinutes !== undefined
          ? `An execution in progress times out after ${plural(job.timeoutConfig.inProgressTimeoutInMinutes, 'minute')} (or at its step timer).`
          : 'None (only step timers the devices set).'}
      </Row>
      <Row label="Retries">
        {retries.length === 0 ? 'None: a failure is final.' : retries.map((r) => `${r.failureType}: up to ${plural(r.numberOfRetries, 'retry', 'retries')}`).join('; ') + '.'}
      </Row>
      <Row label="Scheduling">
        {!s ? (
          'Starts at once; no end time, no maintenance windows.'
        ) : (
          <>
            {s.startTime !== undefined ? `Starts ${s.startTime} UTC. ` : 'Starts at once. '}
            {s.endTime !== undefined ? `Ends ${s.endTime} UTC (${s.endBehavior ?? 'STOP_ROLLOUT'}). ` : ''}
            {(s.maintenanceWindows ?? []).map((w) => `Window ${w.startTime} for ${plural(w.durationInMinutes, 'minute')}. `).join('')}
            {job.scheduledJobRollouts && job.scheduledJobRollouts.length > 0 ? (
              <span class="muted">Next windows: {job.scheduledJobRollouts.map((r) => r.startTime).join(', ')}.</span>
            ) : (
              ''
            )}
          </>
        )}
      </Row>
      {job.presignedUrlConfig && (
        <Row label="Presigned URLs">
          {`Valid ${job.presignedUrlConfig.expiresInSec ?? 3600} s${job.presignedUrlConfig.roleArn ? `, role ${job.presignedUrlConfig.roleArn}` : ''}.`}
        </Row>
      )}
      {documentSource !== undefined && <Row label="Document source">{documentSource}</Row>}
      {job.jobTemplateArn !== undefined && <Row label="Template">{job.jobTemplateArn}</Row>}
      {job.documentParameters && (
        <Row label="Parameters">
          {Object.entries(job.documentParameters)
            .map(([k, v]) => `${k} = ${v}`)
            .join(', ')}
        </Row>
      )}
    </dl>
  );
}
