/**
 * The only source of time for domain code. Simulated time runs `speed` times faster than wall
 * time; every timeout/interval is given in simulated milliseconds.
 */
export interface TimerHandle {
  /** Opaque; pass it back to the clock that created it. */
  readonly __timer: unique symbol;
}

export interface Clock {
  /** Simulated epoch milliseconds. */
  now(): number;
  readonly speed: number;
  setTimeout(fn: () => void, simMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  setInterval(fn: () => void, simMs: number): TimerHandle;
  clearInterval(handle: TimerHandle | undefined): void;
}

/** What a process needs to follow another process's simulated time (the cloud announces it). */
export interface ClockEpoch {
  /** Wall-clock epoch ms at which simulated time was `simMs`. */
  wallMs: number;
  simMs: number;
  speed: number;
}

export const epochSeconds = (clock: Clock): number => Math.floor(clock.now() / 1000);

type NodeTimer = ReturnType<typeof globalThis.setTimeout>;

/** Simulated time = epoch.simMs + (wall − epoch.wallMs) × speed. Timers are real Node timers, unref'd. */
export class ScaledClock implements Clock {
  readonly speed: number;
  readonly epoch: ClockEpoch;

  constructor(epochOrSpeed: ClockEpoch | number = 1) {
    const wall = Date.now();
    this.epoch = typeof epochOrSpeed === 'number' ? { wallMs: wall, simMs: wall, speed: epochOrSpeed } : epochOrSpeed;
    if (!(this.epoch.speed > 0) || !Number.isFinite(this.epoch.speed)) {
      throw new RangeError(`clock speed must be a positive number, got ${this.epoch.speed}`);
    }
    this.speed = this.epoch.speed;
  }

  now(): number {
    return this.epoch.simMs + (Date.now() - this.epoch.wallMs) * this.speed;
  }

  setTimeout(fn: () => void, simMs: number): TimerHandle {
    const t = globalThis.setTimeout(fn, Math.max(0, simMs / this.speed));
    t.unref();
    return t as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) globalThis.clearTimeout(handle as unknown as NodeTimer);
  }

  setInterval(fn: () => void, simMs: number): TimerHandle {
    const t = globalThis.setInterval(fn, Math.max(1, simMs / this.speed));
    t.unref();
    return t as unknown as TimerHandle;
  }

  clearInterval(handle: TimerHandle | undefined): void {
    if (handle) globalThis.clearInterval(handle as unknown as NodeTimer);
  }
}

interface FakeTimer {
  id: number;
  due: number;
  fn: () => void;
  /** Repeat period for intervals; undefined for timeouts. */
  every: number | undefined;
}

/** A clock that only moves when a test says so. Timers fire in due order, each seeing now() = its due time. */
export class FakeClock implements Clock {
  readonly speed = 1;
  private current: number;
  private nextId = 1;
  private readonly timers = new Map<number, FakeTimer>();

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, simMs: number): TimerHandle {
    return this.add(fn, simMs, undefined);
  }

  setInterval(fn: () => void, simMs: number): TimerHandle {
    return this.add(fn, simMs, Math.max(1, simMs));
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.timers.delete(handle as unknown as number);
  }

  clearInterval(handle: TimerHandle | undefined): void {
    this.clearTimeout(handle);
  }

  /** Number of timers still scheduled. */
  pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  advanceTo(target: number): void {
    for (;;) {
      const next = this.earliest();
      if (!next || next.due > target) break;
      this.current = Math.max(this.current, next.due);
      if (next.every === undefined) this.timers.delete(next.id);
      else next.due += next.every;
      next.fn();
    }
    this.current = Math.max(this.current, target);
  }

  private add(fn: () => void, simMs: number, every: number | undefined): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, due: this.current + Math.max(0, simMs), fn, every });
    return id as unknown as TimerHandle;
  }

  private earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers.values()) {
      if (!best || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    }
    return best;
  }
}
