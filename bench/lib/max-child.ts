/**
 * Child process for step 5: one FleetPool with as many devices as asked (19,000 by default),
 * in a process of its own so that its sockets are the only ones counting toward its open-files limit.
 */
import { FleetPool } from '../../src/fleet/pool.js';
import { benchFleetConfig } from './fleet-config.js';
import { DEVICE_SECRET_ENV } from './memory-protocol.js';
import type { MaxChildArgs, MaxChildMessage } from './max-protocol.js';
import { openFdCount } from './system.js';
import { nowMs, waitForCount, within } from './time.js';
import { runChildMain } from './child.js';

const args = JSON.parse(process.argv[2] ?? '{}') as MaxChildArgs;
const send = (m: MaxChildMessage): void => {
  process.send?.(m);
};

async function main(): Promise<void> {
  const config = benchFleetConfig({ devices: args.devices });
  const startedAt = nowMs();
  const pool = FleetPool.start({
    config,
    brokerUrl: args.url,
    deviceSecret: process.env[DEVICE_SECRET_ENV] ?? null,
    clockEpoch: args.clockEpoch,
    logLevel: 'error',
    statsIntervalMs: 250,
  });
  let failure: string | undefined;
  void pool.failures().then((f) => (failure = `fleet worker ${f.workerIndex} failed: ${f.error.message}`));
  const progress = setInterval(() => {
    const c = pool.stats().counters;
    send({ type: 'progress', online: c.online, connecting: c.connecting, connectFailures: c.connectFailures, elapsedMs: nowMs() - startedAt });
  }, 1000);
  try {
    let firstAt = Number.NaN;
    const wait = await waitForCount(
      () => {
        const online = pool.stats().counters.online;
        if (online > 0 && Number.isNaN(firstAt)) firstAt = nowMs();
        return online;
      },
      args.devices,
      { timeoutMs: args.onlineTimeoutMs, stallMs: 30_000, pollMs: 20 },
    );
    const elapsedMs = nowMs() - startedAt;
    const stats = pool.stats();
    send({
      type: 'result',
      devices: args.devices,
      workers: stats.workers,
      online: stats.counters.online,
      elapsedMs,
      firstMs: firstAt - startedAt,
      complete: wait.reached,
      counters: stats.counters,
      rss: process.memoryUsage().rss,
      workersHeapUsed: stats.heapUsedBytes,
      openFds: openFdCount(),
      failure,
    });
  } finally {
    clearInterval(progress);
    await within(pool.stop().catch(() => undefined), 90_000);
  }
}

runChildMain(main, send);
