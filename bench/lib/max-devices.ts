/**
 * Step 5: the most devices one fleet process holds. mosquitto is the broker (its own process, so
 * its sockets do not share the fleet's open-files limit, as the embedded broker in the bench
 * process would), and the fleet runs in a child process so the bench's own descriptors do not count.
 */
import { benchFleetConfig } from './fleet-config.js';
import { withBroker } from './brokers.js';
import { TsChild } from './child.js';
import { DEVICE_SECRET_ENV } from './memory-protocol.js';
import type { MaxChildArgs, MaxChildMessage, MaxChildResult } from './max-protocol.js';

const CHILD_FILE = new URL('./max-child.ts', import.meta.url);
export const MAX_ONLINE_TIMEOUT_MS = 120_000;

export async function measureMaxDevices(devices: number, log: (line: string) => void): Promise<MaxChildResult> {
  return withBroker('mosquitto', benchFleetConfig({ devices }), async (b) => {
    const args: MaxChildArgs = { url: b.mqttUrl, devices, clockEpoch: b.clockEpoch, onlineTimeoutMs: MAX_ONLINE_TIMEOUT_MS };
    const child = new TsChild<never, MaxChildMessage>(CHILD_FILE, args, { env: { [DEVICE_SECRET_ENV]: b.deviceSecret } });
    try {
      const deadline = Date.now() + MAX_ONLINE_TIMEOUT_MS + 60_000;
      let lastLog = 0;
      for (;;) {
        const m = await child.inbox.first(['progress', 'result', 'error'], Math.max(0, deadline - Date.now()));
        if (!m) throw new Error(`max-devices child gave no result: ${child.inbox.closedReason ?? 'timed out'}`);
        if (m.type === 'error') throw new Error(`max-devices child failed: ${m.message}`);
        if (m.type === 'result') return m;
        if (m.elapsedMs - lastLog >= 10_000) {
          lastLog = m.elapsedMs;
          log(`  max: ${m.online.toLocaleString('en-US')}/${devices.toLocaleString('en-US')} online, ${m.connecting.toLocaleString('en-US')} connecting, ${m.connectFailures} failed connects after ${(m.elapsedMs / 1000).toFixed(0)} s`);
        }
      }
    } finally {
      await child.finish(120_000);
    }
  });
}
