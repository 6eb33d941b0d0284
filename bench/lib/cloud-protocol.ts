/** Messages between the bench and the child process that runs the embedded broker and cloud (cloud-child.ts). */
import type { ClockEpoch } from '../../src/core/clock.js';

export interface CloudChildArgs {
  devices: number;
  /**
   * Where the child writes its crash report. A file, not IPC: a broker that has blown its stack
   * may never get to flush an IPC message before it is killed.
   */
  crashFile: string;
}

export type BenchToCloud = { type: 'stop' };

export type CloudToBench =
  | { type: 'ready'; mqttUrl: string; deviceSecret: string; clockEpoch: ClockEpoch }
  | { type: 'stopped' }
  | { type: 'error'; message: string };
