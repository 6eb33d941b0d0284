/** Messages between the bench and the max-devices child process (max-child.ts). */
import type { ClockEpoch } from '../../src/core/clock.js';
import type { FleetCounters } from '../../src/device/context.js';

export interface MaxChildArgs {
  url: string;
  devices: number;
  clockEpoch: ClockEpoch;
  /** How long the devices get to come online. */
  onlineTimeoutMs: number;
}

export interface MaxChildResult {
  type: 'result';
  devices: number;
  workers: number;
  online: number;
  /** FleetPool.start → all online, or → the deadline. */
  elapsedMs: number;
  firstMs: number;
  complete: boolean;
  counters: FleetCounters;
  /** The child process's RSS (every worker thread included) with the fleet online. */
  rss: number;
  /** Sum of the workers' heapUsed, from FleetPool.stats(). */
  workersHeapUsed: number;
  openFds: number;
  failure: string | undefined;
}

export type MaxChildMessage =
  | { type: 'progress'; online: number; connecting: number; connectFailures: number; elapsedMs: number }
  | MaxChildResult
  | { type: 'error'; message: string };
