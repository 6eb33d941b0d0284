/**
 * Which brokers a scenario runs for `--broker`: mosquitto is left out, loudly, where it is not
 * installed, so a run on a laptop still measures aedes and says what it could not measure.
 */
import type { BrokerChoice } from './args.js';
import { hasMosquitto, type BrokerKind } from './brokers.js';

export interface SkippedBroker {
  broker: BrokerKind;
  reason: string;
}

export function chooseBrokers(choice: BrokerChoice, log: (line: string) => void): { run: BrokerKind[]; skipped: SkippedBroker[] } {
  const wanted: BrokerKind[] = choice === 'both' ? ['mosquitto', 'aedes'] : [choice];
  const missing = (k: BrokerKind): boolean => k === 'mosquitto' && !hasMosquitto;
  const skipped = wanted.filter(missing).map((broker) => ({ broker, reason: 'mosquitto is not installed (apt-get install -y mosquitto)' }));
  const bar = '!'.repeat(100);
  for (const s of skipped) log(`\n${bar}\n!! SKIPPED: ${s.reason}\n${bar}\n`);
  return { run: wanted.filter((k) => !missing(k)), skipped };
}
