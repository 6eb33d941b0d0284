/**
 * Targets a rollout has not reached yet (spec §4.1): things that have no execution of the job
 * until the rate lets the engine release them. Kept in release order in memory and written
 * through to `job_pending_targets`, so a restarted cloud resumes with exactly the things still
 * waiting: a release deletes its rows in the same write batch that stores the new executions.
 */
import type { Db, WriteBatcher } from '../store/sqlite.js';

interface Queue {
  things: string[];
  /** Index of the next thing to release. */
  head: number;
  /** Row key of `things[0]`; things[i] is stored under firstSeq + i. */
  firstSeq: number;
}

export class PendingTargets {
  private readonly queues = new Map<string, Queue>();
  /**
   * The next row key per job, kept after its queue empties: keys only grow, so the one pending
   * "delete everything below" write of a batch also covers rows of a queue emptied earlier in it.
   */
  private readonly nextSeq = new Map<string, number>();
  private readonly q;

  constructor(
    db: Db,
    private readonly batcher: WriteBatcher,
  ) {
    this.q = {
      insert: db.prepare(`INSERT INTO job_pending_targets (job_id, seq, thing_name) VALUES (?, ?, ?)`),
      deleteUpTo: db.prepare(`DELETE FROM job_pending_targets WHERE job_id = ? AND seq < ?`),
      deleteJob: db.prepare(`DELETE FROM job_pending_targets WHERE job_id = ?`),
    };
    const rows = db.prepare(`SELECT job_id, seq, thing_name FROM job_pending_targets ORDER BY job_id, seq`).iterate() as Iterable<{ job_id: string; seq: number; thing_name: string }>;
    for (const row of rows) {
      let queue = this.queues.get(row.job_id);
      if (!queue) this.queues.set(row.job_id, (queue = { things: [], head: 0, firstSeq: row.seq }));
      // Rows are contiguous from firstSeq: releases delete from the head, additions append.
      queue.things[row.seq - queue.firstSeq] = row.thing_name;
      this.nextSeq.set(row.job_id, row.seq + 1);
    }
  }

  count(jobId: string): number {
    const queue = this.queues.get(jobId);
    return queue ? queue.things.length - queue.head : 0;
  }

  /** Jobs that still have targets waiting. */
  jobs(): IterableIterator<string> {
    return this.queues.keys();
  }

  /** Appends targets in release order. */
  add(jobId: string, things: readonly string[]): void {
    if (things.length === 0) return;
    const from = this.nextSeq.get(jobId) ?? 0;
    let queue = this.queues.get(jobId);
    if (!queue) this.queues.set(jobId, (queue = { things: [], head: 0, firstSeq: from }));
    queue.things.push(...things);
    this.nextSeq.set(jobId, from + things.length);
    const added = [...things];
    this.batcher.enqueue(`pending\u0000${jobId}\u0000add\u0000${from}`, () => {
      for (const [i, thing] of added.entries()) this.q.insert.run(jobId, from + i, thing);
    });
  }

  /** Takes the next target off the queue, or undefined when none waits. */
  shift(jobId: string): string | undefined {
    const queue = this.queues.get(jobId);
    if (!queue) return undefined;
    const thing = queue.things[queue.head++];
    const upTo = queue.firstSeq + queue.head;
    if (queue.head >= queue.things.length) this.queues.delete(jobId);
    else if (queue.head > 1024 && queue.head * 2 > queue.things.length) this.compact(queue);
    // One write per job per batch however many are taken: a later take replaces an earlier one.
    this.batcher.enqueue(`pending\u0000${jobId}\u0000taken`, () => this.q.deleteUpTo.run(jobId, upTo));
    return thing;
  }

  /** Forgets every waiting target of the job (canceled, deleted, or its rollout stopped). */
  drop(jobId: string): void {
    if (!this.queues.delete(jobId)) return;
    this.nextSeq.delete(jobId);
    this.batcher.enqueue(`pending\u0000${jobId}\u0000drop`, () => this.q.deleteJob.run(jobId));
  }

  private compact(queue: Queue): void {
    queue.things = queue.things.slice(queue.head);
    queue.firstSeq += queue.head;
    queue.head = 0;
  }
}
