import type { Db, WriteBatcher } from '../store/sqlite.js';
import type { JobExecution } from './executions.js';
import { emptyCounts, type Job, type StatusCounts } from './job.js';

/** One execution and its place in creation order (start-next's tie-break, §1.3). */
interface Slot {
  exec: JobExecution;
  seq: number;
}

const jobKey = (id: string): string => `job\u0000${id}`;
const execKey = (e: { jobId: string; thingName: string; executionNumber: number }): string => `exec\u0000${e.jobId}\u0000${e.thingName}\u0000${e.executionNumber}`;

/**
 * Jobs and executions, in memory for the MQTT hot path and written through to SQLite in batches
 * (one transaction per event-loop turn). Indexed both by thing (the device API) and by job (the
 * control plane), with live per-job status counts over each thing's latest execution.
 */
export class JobStore {
  private readonly jobs = new Map<string, Job>();
  private readonly byThing = new Map<string, Slot[]>();
  /** jobId → thing → that thing's executions of the job, ascending executionNumber. */
  private readonly byJob = new Map<string, Map<string, Slot[]>>();
  private readonly tallies = new Map<string, StatusCounts>();
  /** Each job's creation-order key, written with every put: puts in one batch replace each other. */
  private readonly jobSeqs = new Map<string, number>();
  private seq = 0;
  private readonly q;

  constructor(
    db: Db,
    private readonly batcher: WriteBatcher,
  ) {
    this.q = {
      upsertJob: db.prepare(`INSERT INTO jobs (job_id, seq, body) VALUES (?, ?, ?) ON CONFLICT (job_id) DO UPDATE SET body = excluded.body`),
      deleteJob: db.prepare(`DELETE FROM jobs WHERE job_id = ?`),
      deleteJobExecutions: db.prepare(`DELETE FROM job_executions WHERE job_id = ?`),
      upsertExec: db.prepare(
        `INSERT INTO job_executions (job_id, thing_name, execution_number, seq, body) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (job_id, thing_name, execution_number) DO UPDATE SET body = excluded.body`,
      ),
      deleteExec: db.prepare(`DELETE FROM job_executions WHERE job_id = ? AND thing_name = ? AND execution_number = ?`),
    };
    for (const row of db.prepare(`SELECT seq, body FROM jobs ORDER BY seq`).iterate() as Iterable<{ seq: number; body: string }>) {
      const job = JSON.parse(row.body) as Job;
      this.jobs.set(job.jobId, job);
      this.byJob.set(job.jobId, new Map());
      this.tallies.set(job.jobId, emptyCounts());
      this.jobSeqs.set(job.jobId, row.seq);
      this.seq = Math.max(this.seq, row.seq);
    }
    for (const row of db.prepare(`SELECT seq, body FROM job_executions ORDER BY seq`).iterate() as Iterable<{ seq: number; body: string }>) {
      this.index(JSON.parse(row.body) as JobExecution, row.seq);
      this.seq = Math.max(this.seq, row.seq);
    }
  }

  job(jobId: string): Job | undefined {
    return this.jobs.get(jobId);
  }

  /** Every job, in creation order. */
  allJobs(): IterableIterator<Job> {
    return this.jobs.values();
  }

  putJob(job: Job): void {
    const isNew = !this.jobs.has(job.jobId);
    this.jobs.set(job.jobId, job);
    if (isNew) {
      this.byJob.set(job.jobId, new Map());
      this.tallies.set(job.jobId, emptyCounts());
      this.jobSeqs.set(job.jobId, ++this.seq);
    }
    const seq = this.jobSeqs.get(job.jobId) ?? 0;
    const body = JSON.stringify(job);
    this.batcher.enqueue(jobKey(job.jobId), () => this.q.upsertJob.run(job.jobId, seq, body));
  }

  /** Drops the job and every execution of it. */
  deleteJob(jobId: string): void {
    const things = this.byJob.get(jobId);
    if (things) {
      for (const thing of things.keys()) {
        const kept = (this.byThing.get(thing) ?? []).filter((s) => s.exec.jobId !== jobId);
        if (kept.length > 0) this.byThing.set(thing, kept);
        else this.byThing.delete(thing);
      }
    }
    this.jobs.delete(jobId);
    this.byJob.delete(jobId);
    this.tallies.delete(jobId);
    this.jobSeqs.delete(jobId);
    // Its own key: a job recreated with this id in the same batch must not replace the delete.
    this.batcher.enqueue(`delete\u0000${jobKey(jobId)}`, () => {
      this.q.deleteJobExecutions.run(jobId);
      this.q.deleteJob.run(jobId);
    });
  }

  /** The job's live counters: read them, never change them. */
  counts(jobId: string): StatusCounts {
    return this.tallies.get(jobId) ?? emptyCounts();
  }

  /** The thing's executions of every job, in creation order. */
  executionsOf(thing: string): JobExecution[] {
    return (this.byThing.get(thing) ?? []).map((s) => s.exec);
  }

  /** Each thing's latest execution of the job, in the order the things were first given one. */
  *latestOfJob(jobId: string): Generator<JobExecution> {
    for (const slots of this.byJob.get(jobId)?.values() ?? []) {
      const last = slots[slots.length - 1];
      if (last) yield last.exec;
    }
  }

  /** Every execution of the job on the thing, ascending executionNumber. */
  executionsOfJobOnThing(jobId: string, thing: string): JobExecution[] {
    return (this.byJob.get(jobId)?.get(thing) ?? []).map((s) => s.exec);
  }

  /** The numbered execution, or the latest when `executionNumber` is undefined. */
  find(jobId: string, thing: string, executionNumber?: number): JobExecution | undefined {
    const slots = this.byJob.get(jobId)?.get(thing);
    if (!slots || slots.length === 0) return undefined;
    if (executionNumber === undefined) return slots[slots.length - 1]?.exec;
    return slots.find((s) => s.exec.executionNumber === executionNumber)?.exec;
  }

  /** Adds a new execution (it becomes the thing's latest for its job). */
  addExecution(exec: JobExecution): void {
    const seq = ++this.seq;
    this.index(exec, seq);
    this.write(exec, seq);
  }

  /** Replaces a stored execution by its (jobId, thing, executionNumber). */
  replaceExecution(exec: JobExecution): void {
    const slots = this.byJob.get(exec.jobId)?.get(exec.thingName);
    const slot = slots?.find((s) => s.exec.executionNumber === exec.executionNumber);
    if (!slots || !slot) throw new Error(`no execution ${exec.executionNumber} of job ${exec.jobId} on ${exec.thingName}`);
    if (slot === slots[slots.length - 1]) this.recount(exec.jobId, slot.exec.status, exec.status);
    slot.exec = exec;
    this.write(exec, slot.seq);
  }

  deleteExecution(exec: JobExecution): void {
    const things = this.byJob.get(exec.jobId);
    const slots = things?.get(exec.thingName);
    if (!things || !slots) return;
    const i = slots.findIndex((s) => s.exec.executionNumber === exec.executionNumber);
    if (i < 0) return;
    const wasLatest = i === slots.length - 1;
    const [removed] = slots.splice(i, 1);
    if (wasLatest && removed) {
      const next = slots[slots.length - 1];
      this.recount(exec.jobId, removed.exec.status, next?.exec.status);
    }
    if (slots.length === 0) things.delete(exec.thingName);
    const kept = (this.byThing.get(exec.thingName) ?? []).filter((s) => s !== removed);
    if (kept.length > 0) this.byThing.set(exec.thingName, kept);
    else this.byThing.delete(exec.thingName);
    this.batcher.enqueue(execKey(exec), () => this.q.deleteExec.run(exec.jobId, exec.thingName, exec.executionNumber));
  }

  private index(exec: JobExecution, seq: number): void {
    const things = this.byJob.get(exec.jobId);
    // An execution whose job row is gone (a crash between the two deletes) is dropped on load.
    if (!things) return;
    const slot: Slot = { exec, seq };
    let slots = things.get(exec.thingName);
    if (!slots) things.set(exec.thingName, (slots = []));
    const previous = slots[slots.length - 1];
    slots.push(slot);
    this.recount(exec.jobId, previous?.exec.status, exec.status);
    let list = this.byThing.get(exec.thingName);
    if (!list) this.byThing.set(exec.thingName, (list = []));
    list.push(slot);
  }

  private write(exec: JobExecution, seq: number): void {
    const body = JSON.stringify(exec);
    this.batcher.enqueue(execKey(exec), () => this.q.upsertExec.run(exec.jobId, exec.thingName, exec.executionNumber, seq, body));
  }

  private recount(jobId: string, from: JobExecution['status'] | undefined, to: JobExecution['status'] | undefined): void {
    const c = this.tallies.get(jobId);
    if (!c) return;
    if (from !== undefined) c[from]--;
    if (to !== undefined) c[to]++;
  }
}
