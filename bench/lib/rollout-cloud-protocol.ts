/**
 * Messages between the rollout bench and its cloud process (rollout-cloud-child.ts). The same
 * conversation as the jobs bench's cloud (jobs-cloud-protocol.ts), so the jobs phases run against
 * either; the readings add what the durable store and the shadow service did.
 */
import type { BenchToJobsCloud, CloudPhaseReading, JobsCloudArgs, JobsCloudToBench } from './jobs-cloud-protocol.js';

export interface RolloutCloudArgs extends JobsCloudArgs {
  /** fleet.yaml `speed`: simulated ms per wall ms (rollout rates follow simulated time). */
  speed: number;
  /** A state database file, as `acfleet cloud` keeps by default: every write reaches its WAL. */
  statePath: string;
}

/** A phase's reading, plus the store and both services. */
export interface StoreReading extends CloudPhaseReading {
  jobsAccepted: number;
  shadowRequests: number;
  shadowRejected: number;
  /** Bytes the cloud process sent to the block layer (/proc/self/io write_bytes): WAL appends and checkpoints. */
  diskWriteBytes: number;
  /** Size of the WAL file at the phase's end (it is checkpointed back into the database as it grows). */
  walBytes: number;
}

export type BenchToRolloutCloud = BenchToJobsCloud;

export type RolloutCloudToBench = Exclude<JobsCloudToBench, { type: 'phase' }> | { type: 'phase'; reading: StoreReading };
