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
