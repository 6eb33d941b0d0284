import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { ScaledClock } from '../../core/clock.js';
import { createLogger } from '../../core/log.js';
import { FleetPool, type FleetStats } from '../../fleet/pool.js';
import { parseShard } from '../../fleet/shard.js';
import { resolveClockEpoch } from '../clock-epoch.js';
import { UsageError, withCommonOptions, resolveConfig, type CommonArgs } from '../options.js';
import { resolveDeviceSecret } from '../secrets.js';
import { onShutdown } from '../shutdown.js';
import { StatusDisplay } from '../status.js';

type FleetArgs = CommonArgs & {
  broker?: string | undefined;
  shard: string;
  workers?: number | undefined;
  'cloud-url'?: string | undefined;
};

/** Message a fleet started by `acfleet up` sends its parent. */
export interface FleetIpcStats {
  type: 'fleet-stats';
  stats: FleetStats;
}

export const fleetCommand: CommandModule<object, FleetArgs> = {
  command: 'fleet',
  describe: 'run the virtual thermostats against an MQTT broker (the embedded one, mosquitto, …)',
  builder: (y: Argv) =>
    withCommonOptions(y)
      .option('broker', { type: 'string', describe: 'MQTT URL of the broker (default: from fleet.yaml)' })
      .option('shard', { type: 'string', default: '1/1', describe: 'run shard i of n (e.g. 2/4); n processes together run the whole fleet' })
      .option('workers', { type: 'number', describe: 'worker threads (default: one per core)' })
      .option('cloud-url', { type: 'string', describe: "follow this acfleet cloud's simulation clock (its HTTP URL)" })
      .check((a) => {
        if (!parseShard(String(a.shard))) throw new UsageError(`--shard must look like i/n with 1 ≤ i ≤ n, got ${String(a.shard)}`);
        if (a.workers !== undefined && (!Number.isInteger(a.workers) || a.workers < 1)) throw new UsageError(`--workers must be a whole number ≥ 1, got ${a.workers}`);
        return true;
      }) as unknown as Argv<FleetArgs>,
  handler: async (a: ArgumentsCamelCase<FleetArgs>) => {
    const config = resolveConfig(a);
    const log = createLogger(a['log-level'], 'acfleet-fleet');
    const brokerUrl = a.broker ?? (config.broker.type === 'external' ? config.broker.url : `mqtt://${config.broker.host === '0.0.0.0' ? '127.0.0.1' : config.broker.host}:${config.broker.port}`);
    const deviceSecret = resolveDeviceSecret(config, a.state, false);
    const epoch = await resolveClockEpoch(config.speed, a['cloud-url']);
    const clock = new ScaledClock(epoch);
    const shard = parseShard(a.shard) ?? { index: 0, count: 1 };
    const ipc = typeof process.send === 'function';
    const display = ipc ? undefined : new StatusDisplay();
    const pool = FleetPool.start({
      config,
      brokerUrl,
      deviceSecret,
      clockEpoch: epoch,
      shard,
      workers: a.workers,
      logLevel: a['log-level'],
      onStats: (stats) => {
        if (ipc) {
          const msg: FleetIpcStats = { type: 'fleet-stats', stats };
          process.send?.(msg);
        } else {
          display?.update({ stats, atMs: Date.now(), simMs: clock.now(), speed: clock.speed });
        }
      },
    });
    if (!ipc) process.stdout.write(`acfleet fleet: ${pool.deviceCount} devices (shard ${shard.index + 1}/${shard.count}) → ${brokerUrl}\n`);
    void pool.failures().then((f) => {
      display?.stop();
      log.error({ worker: f.workerIndex, error: f.error }, 'a fleet worker failed');
      process.exit(1);
    });
    onShutdown(async () => {
      display?.stop();
      await pool.stop();
    }, log);
  },
};
