/** Everything the fleet scenario measured, as written to the JSON file. */
import type { BareConnectResult } from './bare-fleet.js';
import type { BrokerKind } from './brokers.js';
import type { FleetConnectResult } from './fleet-connect.js';
import type { LatencySummary } from './latency.js';
import type { MaxChildResult } from './max-protocol.js';
import type { MemoryResult } from './memory.js';
import type { TelemetryResult } from './telemetry.js';

export interface BrokerResults {
  broker: BrokerKind;
  devices: number;
  fleetConnect?: FleetConnectResult;
  bareConnect?: BareConnectResult & { latency: LatencySummary };
  fleetTelemetry?: TelemetryResult;
  bareTelemetry?: TelemetryResult;
  fleetMemory?: MemoryResult;
  bareMemory?: MemoryResult;
  /** Steps that failed, with why: the other steps still ran. */
  errors: { step: string; message: string }[];
}

export type MaxResults =
  | { ran: true; devices: number; result?: MaxChildResult; error?: string }
  | { ran: false; reason: string };

export interface SkippedBroker {
  broker: BrokerKind;
  reason: string;
}
