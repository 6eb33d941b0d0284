/** Messages between the bench and a memory-measuring child process (memory-child.ts). */
export type MemoryMode = 'bare' | 'acfleet';

export interface MemoryChildArgs {
  mode: MemoryMode;
  url: string;
  devices: number;
  maxInFlight: number;
  /** Bound on connecting and syncing; the child reports whatever it reached by then. */
  timeoutMs: number;
}

export interface MemoryReading {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export interface MemoryChildResult {
  type: 'result';
  mode: MemoryMode;
  devices: number;
  online: number;
  /** bare: clients with their 3 subscriptions granted; acfleet: devices whose shadow get was answered. */
  ready: number;
  /** First connect → all ready, ms, in this one thread. */
  readyMs: number;
  before: MemoryReading;
  after: MemoryReading;
}

export type MemoryChildMessage = MemoryChildResult | { type: 'error'; message: string };

/** Where the child reads the fleet's device secret (kept out of its command line). */
export const DEVICE_SECRET_ENV = 'ACFLEET_BENCH_DEVICE_SECRET';
