/**
 * Child process running acfleet's cloud with its embedded aedes broker, as `acfleet cloud` runs
 * it: apart from the fleet. Kept out of the bench process so that an overloaded or crashing broker
 * cannot take the bench down with it, and so the two ends of each socket sit in different processes.
 */
import { writeFileSync } from 'node:fs';
import { embeddedBroker } from '../../test/helpers/brokers.js';
import type { BenchToCloud, CloudChildArgs, CloudToBench } from './cloud-protocol.js';
import { benchFleetConfig } from './fleet-config.js';
import { within } from './time.js';
import { runChildMain } from './child.js';

const args = JSON.parse(process.argv[2] ?? '{}') as CloudChildArgs;
/** Never throws: the bench may already have closed the channel (it kills an overloaded broker). */
const send = (m: CloudToBench): void => {
  if (!process.connected) return;
  try {
    process.send?.(m);
  } catch {
    // the bench is gone
  }
};

let stopping = false;
process.on('uncaughtException', (e) => {
  const report = `${stopping ? '(while shutting down) ' : ''}${e.stack ?? e.message}`;
  // Synchronous on purpose: the event loop of a broker in this state may never run again.
  writeFileSync(args.crashFile, report);
  process.stderr.write(`bench: !!! the embedded broker process crashed: ${report.split('\n').slice(0, 6).join('\n')}\n`);
  process.exit(70);
});

async function main(): Promise<void> {
  const b = await embeddedBroker(benchFleetConfig({ devices: args.devices }));
  send({ type: 'ready', mqttUrl: b.mqttUrl, deviceSecret: b.deviceSecret, clockEpoch: b.cloud.clockEpoch });
  await new Promise<void>((resolve) => process.on('message', (m: BenchToCloud) => m.type === 'stop' && resolve()));
  stopping = true;
  await within(b.stop(), 30_000);
  send({ type: 'stopped' });
}

runChildMain(main, send);
