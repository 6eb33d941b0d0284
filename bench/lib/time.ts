/**
 * Wall time that means the same in every thread: `performance.now()` counts from each worker's
 * own start, so timestamps sent between threads use the shared epoch instead.
 */
import { performance } from 'node:perf_hooks';

export const nowMs = (): number => performance.timeOrigin + performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `done` until it is true or `timeoutMs` passes. Returns whether it became true, so a
 * step can report a partial result instead of hanging: every wait in the bench is bounded.
 */
export async function waitUntil(done: () => boolean, timeoutMs: number, pollMs = 10): Promise<boolean> {
  const until = nowMs() + timeoutMs;
  for (;;) {
    if (done()) return true;
    if (nowMs() >= until) return false;
    await sleep(pollMs);
  }
}

/** Resolves with `p`'s value, or with `undefined` once `ms` have passed (the caller reports it). */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface CountWait {
  reached: boolean;
  /** Gave up early: the count stopped growing for `stallMs`. */
  stalled: boolean;
  value: number;
}

/**
 * Waits for a growing count to reach `target`, giving up at `timeoutMs` or as soon as it has not
 * grown for `stallMs`: a count that has stopped (messages a broker dropped, devices that will
 * never get in) is reported as it is instead of spending the whole deadline on it.
 */
export async function waitForCount(read: () => number, target: number, o: { timeoutMs: number; stallMs: number; pollMs?: number }): Promise<CountWait> {
  const until = nowMs() + o.timeoutMs;
  let last = read();
  let grewAt = nowMs();
  for (;;) {
    const value = read();
    if (value >= target) return { reached: true, stalled: false, value };
    const now = nowMs();
    if (value > last) {
      last = value;
      grewAt = now;
    }
    if (now - grewAt >= o.stallMs) return { reached: false, stalled: true, value };
    if (now >= until) return { reached: false, stalled: false, value };
    await sleep(o.pollMs ?? 10);
  }
}
