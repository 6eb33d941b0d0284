/** The cloud's control plane over HTTP, unsigned (so routed to service `iot`), for the rollout bench. */
import { nowMs, sleep } from './time.js';

export interface JobDescription {
  status: string;
  /** Simulated epoch seconds, with a fraction (apiTime). */
  createdAt: number;
  jobProcessDetails: Record<string, unknown>;
}

export interface ExecutionTimes {
  thing: string;
  status: string;
  /** Simulated epoch seconds, whole. */
  queuedAt: number;
}

export class CloudHttp {
  constructor(private readonly baseUrl: string) {}

  async call(method: 'GET' | 'PUT', path: string, body?: unknown): Promise<Record<string, unknown>> {
    const init: RequestInit = body === undefined ? { method } : { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
    const res = await fetch(`${this.baseUrl}${path}`, init);
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as Record<string, unknown>;
  }

  createJob(jobId: string, request: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.call('PUT', `/jobs/${encodeURIComponent(jobId)}`, request);
  }

  /** CancelJob with force: every execution still pending is CANCELED, IN_PROGRESS ones too. */
  cancelJob(jobId: string): Promise<Record<string, unknown>> {
    return this.call('PUT', `/jobs/${encodeURIComponent(jobId)}/cancel?force=true`, {});
  }

  async describeJob(jobId: string): Promise<JobDescription> {
    const { job } = (await this.call('GET', `/jobs/${encodeURIComponent(jobId)}`)) as { job: JobDescription };
    return job;
  }

  /** DescribeJob until the job is COMPLETED (or any status but IN_PROGRESS), or `timeoutMs` passes. */
  async settledJob(jobId: string, timeoutMs: number): Promise<JobDescription> {
    const until = nowMs() + timeoutMs;
    for (;;) {
      const job = await this.describeJob(jobId);
      if (job.status !== 'IN_PROGRESS' || nowMs() >= until) return job;
      await sleep(100);
    }
  }

  /** ListJobExecutionsForJob, every page. */
  async executions(jobId: string): Promise<ExecutionTimes[]> {
    type Page = { executionSummaries: { thingArn: string; jobExecutionSummary: { status: string; queuedAt: number } }[]; nextToken?: string };
    const out: ExecutionTimes[] = [];
    let token: string | undefined;
    do {
      const query = `maxResults=250${token === undefined ? '' : `&nextToken=${encodeURIComponent(token)}`}`;
      const page = (await this.call('GET', `/jobs/${encodeURIComponent(jobId)}/things?${query}`)) as unknown as Page;
      for (const e of page.executionSummaries) {
        out.push({ thing: e.thingArn.slice(e.thingArn.lastIndexOf('/') + 1), status: e.jobExecutionSummary.status, queuedAt: e.jobExecutionSummary.queuedAt });
      }
      token = page.nextToken;
    } while (token !== undefined);
    return out;
  }

  /** GET /_acfleet/clock: the cloud's epoch and its simulated now. */
  async clock(): Promise<{ wallMs: number; simMs: number; speed: number; now: number }> {
    return (await this.call('GET', '/_acfleet/clock')) as unknown as { wallMs: number; simMs: number; speed: number; now: number };
  }
}
