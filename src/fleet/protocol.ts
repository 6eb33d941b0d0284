/**
 * Every message between the fleet's main thread and its workers. Errors travel as data.
 */
import type { MessagePort } from 'node:worker_threads';
import type { FaultsByGroup } from '../config/faults.js';
import type { FleetConfig } from '../config/schema.js';
import type { ClockEpoch } from '../core/clock.js';
import type { LogLevel } from '../core/log.js';
import type { FleetCounters } from '../device/context.js';
import type { AwsCrtTarget } from '../transport/aws-sdk-v2.js';

/** Which MQTT client library the devices use, and where they connect. */
export type TransportSpec =
  | { kind: 'mqttjs'; url: string }
  | { kind: 'aws-crt'; target: AwsCrtTarget };

export interface WorkerTask {
  workerIndex: number;
  config: FleetConfig;
  /** Each group's faults to start with (fleet.yaml's, or the cloud's current ones). */
  faults: FaultsByGroup;
  /** [groupIndex, index] pairs this worker runs. */
  slots: Int32Array;
  transport: TransportSpec;
  deviceSecret: string | null;
  clockEpoch: ClockEpoch;
  logLevel: LogLevel;
  maxConcurrentConnects: number;
  /** Wall ms between stats reports. */
  statsIntervalMs: number;
  port: MessagePort;
}

export type MainToWorker =
  | { type: 'stop' }
  /** New faults for the named groups (issue 6 §2); `revision` counts changes, for the acknowledgement. */
  | { type: 'faults'; revision: number; faults: FaultsByGroup };

export interface WorkerStats {
  workerIndex: number;
  devices: number;
  counters: FleetCounters;
  /** Event-loop delay p99 over the last interval, ms. */
  eventLoopP99Ms: number;
  heapUsedBytes: number;
}

export type WorkerToMain =
  | { type: 'stats'; stats: WorkerStats }
  | { type: 'log'; level: 'warn' | 'error'; message: string }
  /** The worker's devices decide with these faults from now on. */
  | { type: 'faults-applied'; workerIndex: number; revision: number; groups: string[] };

export interface WorkerError {
  code: string;
  message: string;
}

export type WorkerResult = { ok: true; workerIndex: number; counters: FleetCounters } | { ok: false; workerIndex: number; error: WorkerError };
