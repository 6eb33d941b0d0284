/**
 * `GET /_acfleet/devices/:thing`: what the device page shows beyond the AWS APIs (the shadow comes
 * from iot-data's GetThingShadow). Types only, so the browser bundle imports nothing from Node.
 */
import type { DeviceView, ExecutionStatusName } from './dashboard-types.js';

export interface DeviceDetail {
  /** As the fleet view shows it (LED, temperature, unit, online, newest job). */
  device: DeviceView;
  /** The registry's record; absent for a thing only heard on the broker, never registered. */
  thing?: DeviceThing;
  /** Recent telemetry, oldest first, as columns a chart takes directly. */
  telemetry: TelemetrySeries;
  /** Newest first. */
  executions: DeviceExecution[];
}

export interface DeviceThing {
  thingName: string;
  thingArn: string;
  thingTypeName?: string;
  attributes: Record<string, string>;
  version: number;
  /** The groups it is directly a member of. */
  groups: string[];
}

export interface TelemetrySeries {
  /** Simulated epoch seconds (the telemetry's own `timestamp`). */
  at: number[];
  /** In the unit of the same index of `tempUnit`. */
  temp: number[];
  humid: (number | null)[];
  tempUnit: (string | null)[];
}

/** One step of an execution's life, from its stored timestamps. */
export interface StatusStep {
  status: ExecutionStatusName;
  /** Epoch seconds (simulated). */
  at: number;
}

export interface DeviceExecution {
  jobId: string;
  executionNumber: number;
  status: ExecutionStatusName;
  statusDetails: Record<string, string>;
  retryAttempt: number;
  versionNumber: number;
  /** Epoch seconds (simulated), as the AWS API gives them. */
  queuedAt: number;
  startedAt?: number;
  lastUpdatedAt: number;
  /** QUEUED → IN_PROGRESS (if it started) → its final status: every path AWS's state machine allows. */
  statusHistory: StatusStep[];
}
