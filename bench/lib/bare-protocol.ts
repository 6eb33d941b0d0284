/** Messages between the bench and its bare MQTT.js baseline threads (bare-worker.ts). */
import type { BenchIdentity } from './identities.js';

export interface BareWorkerData {
  url: string;
  identities: BenchIdentity[];
  /** Handshakes in flight at once: FleetPool's per-worker default, for the same concurrency. */
  maxInFlight: number;
  keepaliveSec: number;
}

export type MainToBare = { type: 'publish'; untilMs: number } | { type: 'stop' };

export type BareToMain =
  | {
      type: 'connected';
      connected: number;
      failed: number;
      /** Absolute ms (performance.timeOrigin based). */
      firstAtMs: number;
      lastAtMs: number;
      /** CONNECT → CONNACK per connected client, ms. */
      latenciesMs: Float64Array;
      lastError: string | undefined;
    }
  | { type: 'published'; count: number; dropped: number; loopP99Ms: number[] }
  | { type: 'stopped' };
