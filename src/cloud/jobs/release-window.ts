/**
 * "At most N per minute" over every minute, not only the planned ones (spec §4.1): the planner
 * spaces releases evenly, but a timer that fires late finds a backlog due at once, and releasing
 * it whole would put more than N into the minute that ends just after. This keeps the recent
 * release times and answers how many more fit into the minute ending now.
 */
const MINUTE_MS = 60_000;
/** The largest rate there is (maximumPerMinute ≤ 1000, §4.7): more history is never needed. */
const KEPT = 1000;

export class ReleaseWindow {
  /** Release times, ascending; only the newest KEPT. */
  private times: number[] = [];

  record(atMs: number, count: number): void {
    for (let i = 0; i < count; i++) this.times.push(atMs);
    if (this.times.length > 2 * KEPT) this.times = this.times.slice(-KEPT);
  }

  /** How many may be released at `nowMs` so that no minute ending then holds more than `perMinute`. */
  room(perMinute: number, nowMs: number): number {
    if (!Number.isFinite(perMinute)) return Infinity;
    return Math.max(0, perMinute - this.inLastMinute(nowMs));
  }

  /** The first moment from `nowMs` on at which at least one release fits. */
  nextRoomAt(perMinute: number, nowMs: number): number {
    if (this.room(perMinute, nowMs) > 0) return nowMs;
    // The perMinute-th newest release must have left the minute: (t − 60 s, t] excludes it.
    const blocking = this.times[this.times.length - perMinute] ?? nowMs;
    return Math.max(nowMs, blocking + MINUTE_MS);
  }

  /** Releases in (nowMs − 60 s, nowMs]. */
  private inLastMinute(nowMs: number): number {
    const from = nowMs - MINUTE_MS;
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.times[mid] as number) <= from) lo = mid + 1;
      else hi = mid;
    }
    return this.times.length - lo;
  }
}
