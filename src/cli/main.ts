#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isAcfleetError } from '../core/errors.js';
import { cloudCommand } from './commands/cloud.js';
import { faultsCommand } from './commands/faults.js';
import { fleetCommand } from './commands/fleet.js';
import { mosquittoConfigCommand } from './commands/mosquitto-config.js';
import { upCommand } from './commands/up.js';
import { UsageError } from './options.js';

// Humans at a terminal get readable logs; pipes and files get JSON lines.
if (process.stderr.isTTY && process.env.ACFLEET_LOG_PRETTY === undefined) process.env.ACFLEET_LOG_PRETTY = '1';

function fail(e: unknown): never {
  if (isAcfleetError(e)) process.stderr.write(`acfleet: ${e.message}\n`);
  else if (e instanceof Error) process.stderr.write(`acfleet: ${e.message}\n${process.env.ACFLEET_DEBUG ? `${e.stack}\n` : ''}`);
  else process.stderr.write(`acfleet: ${String(e)}\n`);
  process.exit(1);
}

try {
  await yargs(hideBin(process.argv))
    .scriptName('acfleet')
    .usage('$0 <command> [options]\n\nA simulated smart A/C fleet for AWS IoT, with a local AWS IoT.')
    .command(upCommand)
    .command(cloudCommand)
    .command(fleetCommand)
    .command(faultsCommand)
    .command(mosquittoConfigCommand)
    .demandCommand(1, 'name a command: up, cloud, fleet, faults or mosquitto-config')
    .strict()
    .help()
    .alias('help', 'h')
    .version()
    .fail((msg, err, y) => {
      if (err && !(err instanceof UsageError)) fail(err);
      msg ||= err?.message ?? '';
      y.showHelp();
      process.stderr.write(`\nacfleet: ${msg}\n`);
      process.exit(2);
    })
    .parseAsync();
} catch (e) {
  fail(e);
}
