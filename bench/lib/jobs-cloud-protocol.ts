/** Messages between the jobs bench and the child process running the cloud (jobs-cloud-child.ts). */
import type { ClockEpoch } from '../../src/core/clock.js';
import type { JobsBrokerSpec } from './jobs-config.js';

export interface JobsCloudArgs {
  devices: number;
  broker: JobsBrokerSpec;
  deviceSecret: string;
  /** Where the child writes a crash report (a file: IPC may never flush from a crashing process). */
  crashFile: string;
}

/** What the cloud process spent on one measured phase. */
export interface CloudPhaseReading {
  /** Event-loop delay over the phase (monitorEventLoopDelay, 10 ms resolution), ms. */
  loopP50Ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
  /** User + system CPU of the cloud process over the phase (with aedes, the broker's work too), ms. */
  cpuMs: number;
  wallMs: number;
  /** Jobs device-API requests the service answered over MQTT during the phase. */
  jobsRequests: number;
  jobsRejected: number;
}

export type BenchToJobsCloud = { type: 'phase-start' } | { type: 'phase-end' } | { type: 'stop' };

export type JobsCloudToBench =
  | { type: 'ready'; mqttUrl: string; httpUrl: string; clockEpoch: ClockEpoch }
  | { type: 'phase'; reading: CloudPhaseReading }
  | { type: 'stopped' }
  | { type: 'error'; message: string };
