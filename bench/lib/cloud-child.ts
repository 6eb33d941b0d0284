/**
 * Child process running acfleet's cloud with its embedded aedes broker, as `acfleet cloud` runs
 * it: apart from the fleet. Kept out of the bench process so that an overloaded or crashing broker
 * cannot take the bench down with it, and so the two ends of each socket sit in different processes.
 */
import { embeddedBroker } from '../../test/helpers/brokers.js';
import type { BenchToCloud, CloudChildArgs, CloudToBench } from './cloud-protocol.js';
import { benchFleetConfig } from './fleet-config.js';
import { within } from './time.js';

const args = JSON.parse(process.argv[2] ?? '{}') as CloudChildArgs;
const send = (m: CloudToBench): void => {
  process.send?.(m);
};

process.on('uncaughtException', (e) => {
  send({ type: 'crashed', message: e.stack ?? e.message });
  process.stderr.write(`bench cloud child: uncaught ${e.stack ?? e.message}\n`);
  // The bench reads the message above before the channel closes.
  setTimeout(() => process.exit(70), 100);
});

async function main(): Promise<void> {
  const b = await embeddedBroker(benchFleetConfig({ devices: args.devices }));
  send({ type: 'ready', mqttUrl: b.mqttUrl, deviceSecret: b.deviceSecret, clockEpoch: b.cloud.clockEpoch });
  await new Promise<void>((resolve) => process.on('message', (m: BenchToCloud) => m.type === 'stop' && resolve()));
  await within(b.stop(), 30_000);
  send({ type: 'stopped' });
}

main().then(
  () => process.disconnect?.(),
  (e: unknown) => {
    send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    process.exitCode = 1;
    process.disconnect?.();
  },
);
