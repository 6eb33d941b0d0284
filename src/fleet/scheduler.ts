import type { Clock, TimerHandle } from '../core/clock.js';
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
  private heap: Entry[] = [];
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
    this.push(e);
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
    for (const e of this.heap) e.target = null;
    this.heap = [];
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
    while (this.heap.length > 0 && fired < MAX_FIRES_PER_WAKE) {
      const top = this.heap[0] as Entry;
      if (top.due > now) break;
      this.pop();
      const target = top.target;
      if (target === null) continue;
      top.target = null;
      this.live--;
      fired++;
      target.onTimer(top.kind);
    }
    while (this.heap.length > 0 && (this.heap[0] as Entry).target === null) this.pop();
    const next = this.heap[0];
    if (next) this.arm(fired >= MAX_FIRES_PER_WAKE ? now : next.due);
  }

  private less(a: Entry, b: Entry): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i] as Entry, h[p] as Entry)) break;
      [h[i], h[p]] = [h[p] as Entry, h[i] as Entry];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop() as Entry;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l] as Entry, h[m] as Entry)) m = l;
      if (r < h.length && this.less(h[r] as Entry, h[m] as Entry)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as Entry, h[i] as Entry];
      i = m;
    }
  }
}
