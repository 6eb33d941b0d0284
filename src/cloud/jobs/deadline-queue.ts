/**
 * Many keyed deadlines on one clock timer: a min-heap of due times with lazy deletion, and a
 * single timer for the earliest. Ten thousand IN_PROGRESS executions with a timeout cost ten
 * thousand heap entries, not ten thousand Node timers.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import { MinHeap } from '../../core/min-heap.js';

/** One simulated day: within a Node timer's range (2^31 ms) at any speed ≥ 1. */
export const MAX_TIMER_STEP_MS = 24 * 60 * 60_000;

interface Entry {
  key: string;
  at: number;
}

export class DeadlineQueue {
  private readonly due = new Map<string, number>();
  private readonly heap = new MinHeap<Entry>((a, b) => a.at < b.at);
  private timer: TimerHandle | undefined;
  private timerAt: number | undefined;

  /** `onDue` runs once per key whose deadline passed, in deadline order; it may set keys again. */
  constructor(
    private readonly clock: Clock,
    private readonly onDue: (key: string) => void,
  ) {}

  get size(): number {
    return this.due.size;
  }

  /** The key's deadline (simulated epoch ms), if set. */
  at(key: string): number | undefined {
    return this.due.get(key);
  }

  /** Sets or moves the key's deadline. */
  set(key: string, atMs: number): void {
    if (this.due.get(key) === atMs) return;
    this.due.set(key, atMs);
    this.heap.push({ key, at: atMs });
    if (this.timerAt === undefined || atMs < this.timerAt) this.arm();
  }

  delete(key: string): void {
    // The heap entry stays until it reaches the top, where a missing key makes it stale.
    this.due.delete(key);
  }

  close(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
    this.due.clear();
    this.heap.clear();
  }

  private arm(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
    const top = this.top();
    if (!top) return;
    this.timerAt = top.at;
    const wait = Math.min(Math.max(0, top.at - this.clock.now()), MAX_TIMER_STEP_MS);
    this.timer = this.clock.setTimeout(() => this.fire(), wait);
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = undefined;
    const now = this.clock.now();
    for (let top = this.top(); top && top.at <= now; top = this.top()) {
      this.heap.pop();
      this.due.delete(top.key);
      this.onDue(top.key);
    }
    if (this.timer === undefined) this.arm();
  }

  /** The earliest live entry, dropping stale ones on the way. */
  private top(): Entry | undefined {
    for (;;) {
      const e = this.heap.peek();
      if (!e || this.due.get(e.key) === e.at) return e;
      this.heap.pop();
    }
  }
}
