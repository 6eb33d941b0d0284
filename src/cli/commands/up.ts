import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { createLogger } from '../../core/log.js';
import { withCommonOptions, resolveConfig, type CommonArgs } from '../options.js';
import { resolveDeviceSecret } from '../secrets.js';
import { onShutdown } from '../shutdown.js';
import { startCloudStack } from '../stack.js';
import { StatusDisplay } from '../status.js';
import { describeEndpoints } from './cloud.js';
import { describeFaultsChange, type FleetIpcMessage } from './fleet.js';

type UpArgs = CommonArgs & { workers?: number | undefined };

const BIN = fileURLToPath(new URL('../../../bin/acfleet.js', import.meta.url));

export const upCommand: CommandModule<object, UpArgs> = {
  command: 'up',
  describe: 'run everything: the local AWS IoT (broker, shadow, API) and the fleet, in two processes',
  builder: (y: Argv) => withCommonOptions(y).option('workers', { type: 'number', describe: 'fleet worker threads (default: one per core)' }) as unknown as Argv<UpArgs>,
  handler: async (a: ArgumentsCamelCase<UpArgs>) => {
    const config = resolveConfig(a);
    const log = createLogger(a['log-level'], 'acfleet');
    const deviceSecret = resolveDeviceSecret(config, a.state, true);
    const stack = await startCloudStack({ config, statePath: a.state, deviceSecret, log });
    process.stdout.write(['acfleet is up', ...describeEndpoints(stack), '  stop       Ctrl+C', ''].join('\n'));

    // The fleet is its own process: each device costs a file descriptor on both sides.
    // --cloud-url: the fleet follows the cloud's faults (acfleet faults --set …, PUT /_acfleet/faults).
    const args = ['fleet', '--config', a.config, '--broker', stack.cloud.mqttUrl, '--cloud-url', stack.api.url, '--log-level', a['log-level'], '--state', a.state];
    if (a.devices !== undefined) args.push('--devices', String(a.devices));
    if (a.seed !== undefined) args.push('--seed', String(a.seed));
    if (a.speed !== undefined) args.push('--speed', String(a.speed));
    if (a.workers !== undefined) args.push('--workers', String(a.workers));
    for (const f of a.faults ?? []) args.push('--faults', f);
    const child = fork(BIN, args, {
      env: { ...process.env, ACFLEET_DEVICE_SECRET: deviceSecret, ACFLEET_CLOCK_EPOCH: JSON.stringify(stack.cloud.clockEpoch) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const display = new StatusDisplay();
    child.on('message', (m: FleetIpcMessage) => {
      if (m.type === 'fleet-stats') display.update({ stats: m.stats, atMs: Date.now(), simMs: stack.cloud.clock.now(), speed: stack.cloud.clock.speed });
      else if (m.type === 'fleet-faults') for (const line of describeFaultsChange(m.faults)) display.note(line);
    });
    let stopping = false;
    const childExited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    void childExited.then(async (code) => {
      if (stopping) return;
      display.stop();
      log.error({ code }, 'the fleet process exited unexpectedly');
      await stack.close();
      process.exit(1);
    });
    onShutdown(async () => {
      stopping = true;
      display.stop();
      if (child.exitCode === null && child.connected) child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await childExited;
      clearTimeout(timer);
      await stack.close();
      process.stdout.write('acfleet stopped\n');
    }, log);
  },
};
