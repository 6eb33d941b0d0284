import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { ConnectionFactory, QoS } from '../transport/connection.js';
import type { DeviceFaults } from './faults.js';
import type { Site } from './thermal.js';

/** A callback target on the worker's shared scheduler: no closure or timer per device. */
export interface TimerTarget {
  onTimer(kind: number): void;
}

export interface TimerEntry {
  readonly due: number;
}

export interface DeviceTimers {
  schedule(dueMs: number, target: TimerTarget, kind: number): TimerEntry;
  cancel(entry: TimerEntry | undefined): void;
}

/** Limits how many devices of a worker are mid-handshake at once. */
export interface ConnectGate {
  request(device: { beginConnect(): boolean }): void;
  release(): void;
}

/** Per-worker counters, updated in place by devices and read by the stats reporter. */
export interface FleetCounters {
  online: number;
  connecting: number;
  connects: number;
  connectFailures: number;
  disconnects: number;
  published: number;
  received: number;
  /** Shadow reads answered (an existing shadow, or 404 followed by creating it). */
  shadowSyncs: number;
  desiredApplied: number;
  desiredRefused: number;
  /** Job executions a handler began (a rerun of the same execution after a reconnect is not counted again). */
  jobsStarted: number;
  /** Terminal job updates the service accepted, by status. */
  jobsSucceeded: number;
  jobsFailed: number;
  jobsRejected: number;
  errors: number;
}

export const newCounters = (): FleetCounters => ({
  online: 0,
  connecting: 0,
  connects: 0,
  connectFailures: 0,
  disconnects: 0,
  published: 0,
  received: 0,
  shadowSyncs: 0,
  desiredApplied: 0,
  desiredRefused: 0,
  jobsStarted: 0,
  jobsSucceeded: 0,
  jobsFailed: 0,
  jobsRejected: 0,
  errors: 0,
});

export interface DeviceContext {
  clock: Clock;
  timers: DeviceTimers;
  gate: ConnectGate;
  connections: ConnectionFactory;
  log: Logger;
  counters: FleetCounters;
  /** Seeded; used for backoff jitter. */
  random: () => number;
  telemetry: { intervalMs: number; qos: QoS; topicTemplate: string };
  device: {
    keepaliveMs: number;
    reconnectMinMs: number;
    reconnectMaxMs: number;
    jobStepMs: number;
    /** Simulated ms a device takes to come back after a reboot or crash; DEFAULT_BOOT_MS when unset. */
    bootMs?: number;
  };
  /** Null when devices log in without passwords (e.g. AWS IoT Core, which uses certificates). */
  deviceSecret: string | null;
  /** How job handlers download files; the global fetch when unset (tests inject their own). */
  fetch?: FetchFn;
}

/** The part of the global `fetch` that job handlers use. */
export type FetchFn = (url: string, init: { signal: AbortSignal }) => Promise<Response>;

/** A thermostat's boot time when the configuration names none: long enough to be seen, short enough to wait for. */
export const DEFAULT_BOOT_MS = 30_000;

/** What the devices of one fleet group share. */
export interface GroupRuntime {
  name: string;
  locationId: string;
  site: Site;
  /** What goes wrong for the group's devices (issue 6); NO_FAULTS for a healthy group. */
  faults: DeviceFaults;
}
