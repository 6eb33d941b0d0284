import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { configuredFaults, describeFaults, type FaultsByGroup } from '../../config/faults.js';
import { ScaledClock } from '../../core/clock.js';
import { createLogger } from '../../core/log.js';
import { FleetPool, type FleetStats } from '../../fleet/pool.js';
import type { TransportSpec } from '../../fleet/protocol.js';
import { parseShard } from '../../fleet/shard.js';
import { resolveClockEpoch } from '../clock-epoch.js';
import { fetchCloudFaults, followCloudFaults } from '../faults-follower.js';
import { UsageError, withCommonOptions, resolveConfig, type CommonArgs } from '../options.js';
import { resolveDeviceSecret } from '../secrets.js';
import { onShutdown } from '../shutdown.js';
import { StatusDisplay } from '../status.js';

type FleetArgs = CommonArgs & {
  broker?: string | undefined;
  transport: 'mqttjs' | 'aws-crt';
  endpoint?: string | undefined;
  certs: string;
  ca?: string | undefined;
  shard: string;
  workers?: number | undefined;
  'cloud-url'?: string | undefined;
};

/** Messages a fleet started by `acfleet up` sends its parent. */
export type FleetIpcMessage =
  | { type: 'fleet-stats'; stats: FleetStats }
  /** Every worker now decides with these faults (the groups that changed). */
  | { type: 'fleet-faults'; faults: FaultsByGroup };

/** One line per group whose faults changed. */
export const describeFaultsChange = (faults: FaultsByGroup): string[] => Object.entries(faults).map(([group, f]) => `faults now ${group}: ${describeFaults(f)}`);

function fleetTransport(a: FleetArgs, brokerUrl: string): TransportSpec | undefined {
  if (a.endpoint) return { kind: 'aws-crt', target: { kind: 'aws-iot', endpoint: a.endpoint, certDir: a.certs, caFile: a.ca } };
  if (a.transport !== 'aws-crt') return undefined;
  const url = new URL(brokerUrl);
  if (url.protocol !== 'mqtt:' && url.protocol !== 'tcp:') throw new UsageError(`--transport aws-crt speaks plain TCP to a local broker (mqtt://host:port) or TLS to AWS IoT Core (--endpoint); got ${brokerUrl}`);
  return { kind: 'aws-crt', target: { kind: 'plain', host: url.hostname, port: Number(url.port || 1883) } };
}

export const fleetCommand: CommandModule<object, FleetArgs> = {
  command: 'fleet',
  describe: 'run the virtual thermostats against an MQTT broker (the embedded one, mosquitto, …)',
  builder: (y: Argv) =>
    withCommonOptions(y)
      .option('broker', { type: 'string', describe: 'MQTT URL of the broker (default: from fleet.yaml)' })
      .option('shard', { type: 'string', default: '1/1', describe: 'run shard i of n (e.g. 2/4); n processes together run the whole fleet' })
      .option('workers', { type: 'number', describe: 'worker threads (default: one per core)' })
      .option('cloud-url', { type: 'string', describe: "follow this acfleet cloud's simulation clock and faults (its HTTP URL)" })
      .option('transport', { type: 'string', choices: ['mqttjs', 'aws-crt'] as const, default: 'mqttjs' as const, describe: 'MQTT client library: MQTT.js, or aws-iot-device-sdk-v2 (aws-crt)' })
      .option('endpoint', { type: 'string', describe: 'AWS IoT Core data endpoint (xxxx-ats.iot.REGION.amazonaws.com): devices connect there with mutual TLS (implies --transport aws-crt)' })
      .option('certs', { type: 'string', default: 'certs', describe: 'with --endpoint: folder holding <thing>.cert.pem and <thing>.private.key per device' })
      .option('ca', { type: 'string', describe: 'with --endpoint: CA bundle (e.g. certs/AmazonRootCA1.pem); default: the system trust store' })
      .check((a) => {
        if (!parseShard(String(a.shard))) throw new UsageError(`--shard must look like i/n with 1 ≤ i ≤ n, got ${String(a.shard)}`);
        if (a.workers !== undefined && (!Number.isInteger(a.workers) || a.workers < 1)) throw new UsageError(`--workers must be a whole number ≥ 1, got ${a.workers}`);
        return true;
      }) as unknown as Argv<FleetArgs>,
  handler: async (a: ArgumentsCamelCase<FleetArgs>) => {
    const config = resolveConfig(a);
    const log = createLogger(a['log-level'], 'acfleet-fleet');
    const brokerUrl = a.broker ?? (config.broker.type === 'external' ? config.broker.url : `mqtt://${config.broker.host === '0.0.0.0' ? '127.0.0.1' : config.broker.host}:${config.broker.port}`);
    const transport = fleetTransport(a, brokerUrl);
    // AWS IoT Core authenticates devices by certificate, not by password.
    const deviceSecret = transport?.kind === 'aws-crt' && transport.target.kind === 'aws-iot' ? null : resolveDeviceSecret(config, a.state, false);
    const epoch = await resolveClockEpoch(config.speed, a['cloud-url']);
    const clock = new ScaledClock(epoch);
    const shard = parseShard(a.shard) ?? { index: 0, count: 1 };
    const ipc = typeof process.send === 'function';
    const display = ipc ? undefined : new StatusDisplay();
    const cloudUrl = a['cloud-url'];
    // The cloud's faults win: an operator may have changed them since fleet.yaml was read.
    let faults = configuredFaults(config);
    if (cloudUrl) {
      try {
        faults = { ...faults, ...(await fetchCloudFaults(cloudUrl)) };
      } catch (e) {
        log.warn({ cloudUrl, err: (e as Error).message }, "cannot read the cloud's faults; starting with fleet.yaml's");
      }
    }
    const pool = FleetPool.start({
      config,
      faults,
      brokerUrl,
      transport,
      deviceSecret,
      clockEpoch: epoch,
      shard,
      workers: a.workers,
      logLevel: a['log-level'],
      onStats: (stats) => {
        if (ipc) {
          const msg: FleetIpcMessage = { type: 'fleet-stats', stats };
          process.send?.(msg);
        } else {
          display?.update({ stats, atMs: Date.now(), simMs: clock.now(), speed: clock.speed });
        }
      },
    });
    const where = a.endpoint ? `AWS IoT Core ${a.endpoint}` : brokerUrl;
    if (!ipc) process.stdout.write(`acfleet fleet: ${pool.deviceCount} devices (shard ${shard.index + 1}/${shard.count}, ${transport?.kind ?? 'mqttjs'}) → ${where}\n`);
    const follower =
      cloudUrl === undefined
        ? undefined
        : followCloudFaults({
            cloudUrl,
            initial: faults,
            onChange: async (changed) => {
              await pool.setFaults(changed);
              log.info({ faults: changed }, 'faults changed');
              if (ipc) {
                const msg: FleetIpcMessage = { type: 'fleet-faults', faults: changed };
                process.send?.(msg);
              } else for (const line of describeFaultsChange(changed)) display?.note(line);
            },
            onError: (message) => log.warn(message),
          });
    void pool.failures().then((f) => {
      display?.stop();
      log.error({ worker: f.workerIndex, error: f.error }, 'a fleet worker failed');
      process.exit(1);
    });
    onShutdown(async () => {
      follower?.stop();
      display?.stop();
      await pool.stop();
    }, log);
  },
};
