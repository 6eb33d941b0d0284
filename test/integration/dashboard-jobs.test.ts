/**
 * The Jobs pages' data routes against a real cloud: a job created through the AWS SDK, devices
 * played over MQTT running (and failing, and retrying) its executions, then `GET /_acfleet/jobs`
 * and `GET /_acfleet/jobs/:jobId/progress` read back.
 */
import { CreateJobCommand } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobListItem, JobProgressResponse, JobsListResponse } from '../../src/api/dashboard-jobs-types.js';
import { startJobsStack, type JobsStack } from '../helpers/jobs-stack.js';

let s: JobsStack;
const ACCOUNT = '123456789012';
const arn = (kind: 'thing' | 'thinggroup', name: string): string => `arn:aws:iot:us-east-1:${ACCOUNT}:${kind}/${name}`;
const DOC = JSON.stringify({ tempUnit: 'celsius', ledColor: 'green' });

beforeAll(async () => {
  s = await startJobsStack({ alpha: 6, beta: 4 });
});

afterAll(async () => {
  await s?.close();
});

async function getJson<T>(path: string): Promise<{ status: number; errorType: string | null; body: T }> {
  const res = await fetch(`${s.http}${path}`);
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), body: (await res.json()) as T };
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

describe('dashboard jobs routes', () => {
  it('lists every job newest first with live counters, what is still to release, and progress per minute', async () => {
    await s.iot.send(
      new CreateJobCommand({
        jobId: 'dash-run',
        targets: [arn('thing', 'Alpha-00001'), arn('thing', 'Alpha-00002'), arn('thing', 'Alpha-00003')],
        document: DOC,
        description: 'run by played devices',
        jobExecutionsRolloutConfig: { maximumPerMinute: 1000 },
        abortConfig: { criteriaList: [{ failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 90, minNumberOfExecutedThings: 3 }] },
        jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 1 }] },
        timeoutConfig: { inProgressTimeoutInMinutes: 30 },
      }),
    );
    const ok = await s.device('Alpha-00001');
    const failing = await s.device('Alpha-00002');
    expect((await ok.update('dash-run', 'IN_PROGRESS')).accepted).toBe(true);
    expect((await ok.update('dash-run', 'SUCCEEDED')).accepted).toBe(true);
    expect((await failing.update('dash-run', 'IN_PROGRESS')).accepted).toBe(true);
    expect((await failing.update('dash-run', 'FAILED')).accepted).toBe(true);
    // Alpha-00003 never answers: its execution stays QUEUED. Then a slow rollout over the Beta group.
    await s.iot.send(new CreateJobCommand({ jobId: 'dash-slow', targets: [arn('thinggroup', 'Beta')], document: DOC, jobExecutionsRolloutConfig: { maximumPerMinute: 1 } }));

    const list = await getJson<JobsListResponse>('/_acfleet/jobs');
    expect(list.status).toBe(200);
    const ids = list.body.jobs.map((j) => j.jobId);
    expect(ids.indexOf('dash-slow')).toBeLessThan(ids.indexOf('dash-run'));
    const run = list.body.jobs.find((j) => j.jobId === 'dash-run') as JobListItem;
    expect(run).toMatchObject({ status: 'IN_PROGRESS', targetSelection: 'SNAPSHOT', targets: [arn('thing', 'Alpha-00001'), arn('thing', 'Alpha-00002'), arn('thing', 'Alpha-00003')], description: 'run by played devices', toRelease: 0, forceCanceled: false });
    // Each thing's latest execution: Alpha-00002's retry waits, as does Alpha-00003's first.
    expect(run.counts).toMatchObject({ SUCCEEDED: 1, QUEUED: 2, FAILED: 0, IN_PROGRESS: 0 });
    const slow = list.body.jobs.find((j) => j.jobId === 'dash-slow') as JobListItem;
    // Nobody answers: every Beta thing either holds a QUEUED execution or still waits for the rate.
    expect(slow.counts.QUEUED + slow.toRelease).toBe(4);

    const progress = await getJson<JobProgressResponse>('/_acfleet/jobs/dash-run/progress');
    expect(progress.status).toBe(200);
    const p = progress.body;
    expect(p.executions).toMatchObject({ total: 4, SUCCEEDED: 1, FAILED: 1, QUEUED: 2 });
    expect(p.toRelease).toBe(0);
    expect(p.bucketMinutes).toBe(1);
    expect(p.series.at.length).toBeGreaterThanOrEqual(1);
    expect(sum(p.series.released)).toBe(3);
    expect(sum(p.series.retried)).toBe(1);
    expect(sum(p.series.started)).toBe(2);
    expect(sum(p.series.succeeded)).toBe(1);
    expect(sum(p.series.failed)).toBe(1);
    expect(p.series.inProgress.at(-1)).toBe(0);
    expect(p.series.queued.at(-1)).toBe(2);
    expect(p.series.rate.every((r) => r === 1000)).toBe(true);
    expect(p.rollout).toMatchObject({ kind: 'constant', currentRate: 1000, notified: 3, succeeded: 1 });
    // The failure is being retried, so only the success is a final outcome yet.
    expect(p.abort).toEqual([
      { failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 90, minNumberOfExecutedThings: 3, executed: 1, failures: 0, percentage: 0, met: false },
    ]);
    expect(p.timeoutConfig).toEqual({ inProgressTimeoutInMinutes: 30 });
    expect(p.retryConfig).toEqual({ criteriaList: [{ failureType: 'FAILED', numberOfRetries: 1 }] });

    const slowProgress = await getJson<JobProgressResponse>('/_acfleet/jobs/dash-slow/progress');
    expect(slowProgress.body.rollout).toMatchObject({ kind: 'constant', currentRate: 1 });
  });

  it('answers an unknown job with AWS’s ResourceNotFoundException', async () => {
    const missing = await getJson<{ message: string }>('/_acfleet/jobs/no-such-job/progress');
    expect(missing.status).toBe(404);
    expect(missing.errorType).toBe('ResourceNotFoundException');
    expect(missing.body.message).toContain('no-such-job');
  });
});
