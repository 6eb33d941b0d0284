/** Step 1, acfleet side: how fast a FleetPool brings every device online. */
import type { FleetConfig } from '../../src/config/schema.js';
import type { BenchBroker } from './brokers.js';
import { withPool } from './pool.js';
import { nowMs, waitForCount } from './time.js';

export interface FleetConnectResult {
  devices: number;
  online: number;
  /** FleetPool.start → every device online, ms (the deadline when not all made it). */
  elapsedMs: number;
  /** FleetPool.start → first device online, ms: worker start-up and module loading. */
  firstMs: number;
  complete: boolean;
  connectFailures: number;
  /** FleetPool.start → every device has had its shadow get answered, ms (NaN if not within the wait). */
  shadowSyncedMs: number;
  /** Devices whose shadow get was answered (each device's first message is that answer). */
  shadowSynced: number;
  failure: string | undefined;
}

/** Stats every 100 ms, as the brief asks: "online" is seen at most one report (≈100 ms) late. */
const STATS_INTERVAL_MS = 100;

export async function measureFleetConnect(b: BenchBroker, config: FleetConfig, devices: number, timeoutMs: number): Promise<FleetConnectResult> {
  const startedAt = nowMs();
  return withPool(
    { config, brokerUrl: b.mqttUrl, deviceSecret: b.deviceSecret, clockEpoch: b.clockEpoch, logLevel: 'error', statsIntervalMs: STATS_INTERVAL_MS },
    async ({ pool, failure }) => {
      let firstAt = Number.NaN;
      // A failed worker stops the count growing, which ends the wait as a stall.
      const online = await waitForCount(
        () => {
          const n = pool.stats().counters.online;
          if (n > 0 && Number.isNaN(firstAt)) firstAt = nowMs();
          return n;
        },
        devices,
        { timeoutMs, stallMs: 15_000, pollMs: 5 },
      );
      const allAt = nowMs();
      const afterOnline = pool.stats().counters;
      // Each device's first message is its shadow get's answer: wait for those so the cloud is idle for the next step.
      const synced = await waitForCount(() => pool.stats().counters.received, devices, { timeoutMs: 30_000, stallMs: 3_000, pollMs: 20 });
      return {
        devices,
        online: afterOnline.online,
        elapsedMs: allAt - startedAt,
        firstMs: firstAt - startedAt,
        complete: online.reached,
        connectFailures: afterOnline.connectFailures,
        shadowSyncedMs: synced.reached ? nowMs() - startedAt : Number.NaN,
        shadowSynced: synced.value,
        failure: failure(),
      };
    },
  );
}
