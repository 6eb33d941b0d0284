import type { Argv } from 'yargs';
import { formatPath, loadConfigFile } from '../config/load.js';
import type { FleetConfig } from '../config/schema.js';
import { applyOverrides } from '../config/scale.js';
import { checkFleetFaults } from '../config/faults.js';
import { LOG_LEVELS, type LogLevel } from '../core/log.js';
import { parseFaultAssignments } from './fault-assignments.js';
import { UsageError } from './usage-error.js';

export interface CommonArgs {
  config: string;
  devices?: number | undefined;
  speed?: number | undefined;
  seed?: number | undefined;
  'mqtt-port'?: number | undefined;
  'http-port'?: number | undefined;
  host?: string | undefined;
  state: string;
  'log-level': LogLevel;
  faults?: string[] | undefined;
}

export { UsageError };

/** Flags every command shares; each wins over its fleet.yaml counterpart. */
export function withCommonOptions<T>(y: Argv<T>): Argv<T & CommonArgs> {
  return y
    .option('config', { alias: 'c', type: 'string', default: 'fleet.yaml', describe: 'fleet configuration file' })
    .option('devices', { alias: 'n', type: 'number', describe: 'total devices; every group is scaled proportionally' })
    .option('speed', { type: 'number', describe: 'simulated seconds per wall second (60: an hour a minute)' })
    .option('seed', { type: 'number', describe: 'seed for identities, noise and jitter' })
    .option('mqtt-port', { type: 'number', describe: 'embedded broker TCP port (default 1883; 0 = any free port)' })
    .option('http-port', { type: 'number', describe: 'HTTP port for the AWS APIs, /mqtt WebSocket and health (default 8080; 0 = any)' })
    .option('host', { type: 'string', describe: 'address the broker and HTTP server bind (default 127.0.0.1)' })
    .option('state', { type: 'string', default: '.acfleet/state.db', describe: 'SQLite state file, or :memory: for a throwaway run' })
    .option('log-level', { type: 'string', choices: LOG_LEVELS, default: 'warn' as LogLevel, describe: 'log level (logs go to stderr)' })
    .option('faults', {
      type: 'string',
      array: true,
      describe: "failure injection for every group, over fleet.yaml's: 'fail=0.1,hang=0.02,duration=20s' (keys and values as in fleet.yaml's faults block)",
    })
    .check((a) => {
      const problems: string[] = [];
      if (a.devices !== undefined && (!Number.isInteger(a.devices) || a.devices < 0)) problems.push(`--devices must be a whole number ≥ 0, got ${a.devices}`);
      if (a.speed !== undefined && !(a.speed > 0 && a.speed <= 10_000)) problems.push(`--speed must be a number above 0 and at most 10000, got ${a.speed}`);
      if (a.seed !== undefined && (!Number.isInteger(a.seed) || a.seed < 0)) problems.push(`--seed must be a whole number ≥ 0, got ${a.seed}`);
      for (const flag of ['mqtt-port', 'http-port'] as const) {
        const v = a[flag];
        if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 65535)) problems.push(`--${flag} must be a port number from 0 to 65535, got ${v}`);
      }
      if (problems.length > 0) throw new UsageError(problems.join('\n'));
      if (a.faults !== undefined) parseFaultAssignments(a.faults, '--faults');
      return true;
    }) as unknown as Argv<T & CommonArgs>;
}

/** fleet.yaml with the command line's overrides applied. */
export function resolveConfig(a: CommonArgs & { broker?: string | undefined }): FleetConfig {
  const config = applyOverrides(loadConfigFile(a.config), {
    devices: a.devices,
    speed: a.speed,
    seed: a.seed,
    mqttPort: a['mqtt-port'],
    httpPort: a['http-port'],
    host: a.host,
    brokerUrl: a.broker,
    faults: a.faults && parseFaultAssignments(a.faults, '--faults').patch,
  });
  // --faults may push a group's fates past 1 together with what fleet.yaml sets.
  const problems: string[] = [];
  checkFleetFaults(config, { addIssue: (i) => problems.push(`--faults: with fleet.yaml, ${formatPath(i.path)}: ${i.message}`) });
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return config;
}
