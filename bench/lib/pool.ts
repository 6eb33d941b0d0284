/** Runs a FleetPool for one measurement and always stops it, reporting a worker failure instead of hanging. */
import { FleetPool, type FleetPoolOptions } from '../../src/fleet/pool.js';
import { within } from './time.js';

export interface PoolRun {
  pool: FleetPool;
  /** The first worker failure, once one has happened. */
  failure(): string | undefined;
}

/**
 * A stop that takes longer is stuck (see measureFleetTelemetry: a device stopped while its QoS 1
 * publishes are unacknowledged never finishes); the bench reports it and goes on.
 */
const STOP_TIMEOUT_MS = 60_000;

export async function withPool<T>(o: FleetPoolOptions, body: (run: PoolRun) => Promise<T>): Promise<T> {
  const pool = FleetPool.start(o);
  // BENCH_DEBUG=1: the fleet's counters every 2 s, to see where a slow step or a stuck stop is.
  const debug = process.env.BENCH_DEBUG === '1' ? setInterval(() => process.stderr.write(`bench pool: ${JSON.stringify(pool.stats().counters)}\n`), 2000) : undefined;
  let failure: string | undefined;
  void pool.failures().then((f) => (failure = `fleet worker ${f.workerIndex} failed: ${f.error.message}`));
  try {
    return await body({ pool, failure: () => failure });
  } finally {
    const stopped = await within(
      pool.stop().then(
        () => true,
        (e: unknown) => {
          process.stderr.write(`bench: FleetPool.stop() reported: ${e instanceof Error ? e.message : String(e)}\n`);
          return true;
        },
      ),
      STOP_TIMEOUT_MS,
    );
    clearInterval(debug);
    if (stopped === undefined) process.stderr.write(`bench: !!! FleetPool.stop() did not finish within ${STOP_TIMEOUT_MS / 1000} s; going on\n`);
  }
}
