/** The bench's command line: `<scenario> [--devices N] [--broker aedes|mosquitto|both] [--out DIR] [--max]`. */
import { parseArgs } from 'node:util';

export const BROKER_CHOICES = ['aedes', 'mosquitto', 'both'] as const;
export type BrokerChoice = (typeof BROKER_CHOICES)[number];

export interface BenchOptions {
  /** Undefined: the scenario's own default. */
  devices: number | undefined;
  broker: BrokerChoice;
  outDir: string;
  /** Run the slow steps too (fleet: the max-devices attempt). */
  max: boolean;
}

export interface ParsedArgs {
  scenario: string | undefined;
  help: boolean;
  options: BenchOptions;
}

export class UsageError extends Error {}

const isBrokerChoice = (v: string): v is BrokerChoice => (BROKER_CHOICES as readonly string[]).includes(v);

export function parseBenchArgs(argv: readonly string[], defaultOutDir: string): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        devices: { type: 'string' },
        broker: { type: 'string', default: 'both' },
        out: { type: 'string' },
        max: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError(`one scenario at a time, got ${positionals.join(' ')}`);
  let devices: number | undefined;
  if (values.devices !== undefined) {
    devices = Number(values.devices);
    if (!Number.isInteger(devices) || devices < 1 || devices > 100_000) throw new UsageError(`--devices must be a whole number from 1 to 100000, got ${values.devices}`);
  }
  const broker = values.broker ?? 'both';
  if (!isBrokerChoice(broker)) throw new UsageError(`--broker must be one of ${BROKER_CHOICES.join(', ')}, got ${broker}`);
  return {
    scenario: positionals[0],
    help: values.help ?? false,
    options: { devices, broker, outDir: values.out ?? defaultOutDir, max: values.max ?? false },
  };
}
