import type { Clock, TimerHandle } from '../core/clock.js';
import { MinHeap } from '../core/min-heap.js';
import type { DeviceTimers, TimerEntry, TimerTarget } from '../device/context.js';

interface Entry extends TimerEntry {
  due: number;
  seq: number;
  target: TimerTarget | null;
  kind: number;
}

/** Work done per wake-up before yielding, so a burst of due devices cannot stall the event loop. */
const MAX_FIRES_PER_WAKE = 2000;

/**
 * One worker's timers for all its devices: a binary min-heap of deadlines behind a single clock
 * timer armed for the earliest one. Cancelling is lazy (the entry is emptied and skipped).
 */
export class WorkerScheduler implements DeviceTimers {
  private readonly heap = new MinHeap<Entry>((a, b) => a.due < b.due || (a.due === b.due && a.seq < b.seq));
  private seq = 0;
  private armed: TimerHandle | undefined;
  private armedDue = Infinity;
  private live = 0;

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.live;
  }

  schedule(dueMs: number, target: TimerTarget, kind: number): TimerEntry {
    const e: Entry = { due: dueMs, seq: this.seq++, target, kind };
    this.heap.push(e);
    this.live++;
    if (dueMs < this.armedDue) this.arm(dueMs);
    return e;
  }

  cancel(entry: TimerEntry | undefined): void {
    const e = entry as Entry | undefined;
    if (!e || e.target === null) return;
    e.target = null;
    this.live--;
  }

  stop(): void {
    this.clock.clearTimeout(this.armed);
    this.armed = undefined;
    this.armedDue = Infinity;
    // Empty the dropped entries too, so a later cancel() of one is a no-op rather than a miscount.
    for (const e of this.heap.values()) e.target = null;
    this.heap.clear();
    this.live = 0;
  }

  private arm(due: number): void {
    this.clock.clearTimeout(this.armed);
    this.armedDue = due;
    this.armed = this.clock.setTimeout(() => this.fire(), due - this.clock.now());
  }

  private fire(): void {
    this.armed = undefined;
    this.armedDue = Infinity;
    const now = this.clock.now();
    let fired = 0;
    for (let top = this.heap.peek(); top && fired < MAX_FIRES_PER_WAKE; top = this.heap.peek()) {
      if (top.due > now) break;
      this.heap.pop();
      const target = top.target;
      if (target === null) continue;
      top.target = null;
      this.live--;
      fired++;
      target.onTimer(top.kind);
    }
    while (this.heap.peek()?.target === null) this.heap.pop();
    const next = this.heap.peek();
    if (next) this.arm(fired >= MAX_FIRES_PER_WAKE ? now : next.due);
  }
}
