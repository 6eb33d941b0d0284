/** Messages between the bench and the child process that runs the embedded broker and cloud (cloud-child.ts). */
import type { ClockEpoch } from '../../src/core/clock.js';

export interface CloudChildArgs {
  devices: number;
}

export type BenchToCloud = { type: 'stop' };

export type CloudToBench =
  | { type: 'ready'; mqttUrl: string; deviceSecret: string; clockEpoch: ClockEpoch }
  | { type: 'stopped' }
  /** The broker process is going down on an uncaught error (e.g. aedes overloaded). */
  | { type: 'crashed'; message: string }
  | { type: 'error'; message: string };
