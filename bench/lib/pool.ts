/** Runs a FleetPool for one measurement and always stops it, reporting a worker failure instead of hanging. */
import { FleetPool, type FleetPoolOptions } from '../../src/fleet/pool.js';
import { within } from './time.js';

export interface PoolRun {
  pool: FleetPool;
  /** The first worker failure, once one has happened. */
  failure(): string | undefined;
}

const STOP_TIMEOUT_MS = 60_000;

export async function withPool<T>(o: FleetPoolOptions, body: (run: PoolRun) => Promise<T>): Promise<T> {
  const pool = FleetPool.start(o);
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
    if (stopped === undefined) process.stderr.write(`bench: !!! FleetPool.stop() did not finish within ${STOP_TIMEOUT_MS / 1000} s; going on\n`);
  }
}
