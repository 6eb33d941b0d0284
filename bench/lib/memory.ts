/** Step 2: memory per device, measured in a dedicated child process for each kind of client. */
import type { BenchBroker } from './brokers.js';
import { TsChild } from './child.js';
import { DEVICE_SECRET_ENV, type MemoryChildArgs, type MemoryChildMessage, type MemoryChildResult, type MemoryMode } from './memory-protocol.js';

const CHILD_FILE = new URL('./memory-child.ts', import.meta.url);
const READY_TIMEOUT_MS = 90_000;

export interface MemoryResult {
  mode: MemoryMode;
  devices: number;
  online: number;
  ready: number;
  readyMs: number;
  heapPerDevice: number;
  rssPerDevice: number;
  raw: MemoryChildResult;
}

export async function measureMemory(b: BenchBroker, mode: MemoryMode, devices: number, maxInFlight: number): Promise<MemoryResult> {
  const args: MemoryChildArgs = { mode, url: b.mqttUrl, devices, maxInFlight, timeoutMs: READY_TIMEOUT_MS };
  const child = new TsChild<never, MemoryChildMessage>(CHILD_FILE, args, { nodeFlags: ['--expose-gc'], env: { [DEVICE_SECRET_ENV]: b.deviceSecret } });
  try {
    const deadline = READY_TIMEOUT_MS + 60_000;
    const reply = await child.inbox.first(['result', 'error'], deadline);
    if (reply?.type !== 'result') throw new Error(`memory child (${mode}) gave no result: ${reply?.message ?? child.inbox.closedReason ?? 'timed out'}`);
    const result = reply;
    // Divide by the clients actually there, so a partial run still gives a per-device figure.
    const n = Math.max(1, result.online);
    return {
      mode,
      devices,
      online: result.online,
      ready: result.ready,
      readyMs: result.readyMs,
      heapPerDevice: (result.after.heapUsed - result.before.heapUsed) / n,
      rssPerDevice: (result.after.rss - result.before.rss) / n,
      raw: result,
    };
  } finally {
    await child.finish(45_000);
  }
}
