/**
 * `npm run bench -- <scenario> [--devices N] [--broker aedes|mosquitto|both] [--out DIR] [--max]`
 * Each scenario is one file next to this one; add it to SCENARIOS to make it runnable.
 */
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, UsageError } from './lib/args.js';
import type { ScenarioModule } from './lib/scenario.js';

const SCENARIOS: Record<string, { describe: string; load: () => Promise<ScenarioModule> }> = {
  fleet: { describe: 'connect rate, memory/device, telemetry msgs/s and event-loop p99 vs bare MQTT.js', load: () => import('./fleet.js') },
  jobs: { describe: 'a job rollout to one group: executions/s and latency vs shadow round trips on the same fleet', load: () => import('./jobs.js') },
  rollout: { describe: 'rollout rate accuracy at speed 60, job status updates/s on the state file, a 10,000-device SNAPSHOT job', load: () => import('./rollout.js') },
  dashboard: { describe: 'the dashboard in chromium with 10,000 devices vs 200: load, frame p99, long tasks, heap, DOM size, scrolling, live feed bytes/s', load: () => import('./dashboard.js') },
};

function usage(): string {
  const names = Object.entries(SCENARIOS).map(([name, s]) => `  ${name.padEnd(10)} ${s.describe}`);
  return [
    'usage: npm run bench -- <scenario> [--devices N] [--broker aedes|mosquitto|both] [--out DIR] [--max]',
    '',
    'scenarios:',
    ...names,
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  const defaultOut = fileURLToPath(new URL('./results/', import.meta.url));
  let args;
  try {
    args = parseBenchArgs(process.argv.slice(2), defaultOut);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`bench: ${e.message}\n\n${usage()}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(usage());
    return 0;
  }
  const scenario = args.scenario === undefined ? undefined : SCENARIOS[args.scenario];
  if (!scenario) {
    process.stderr.write(`${args.scenario === undefined ? 'bench: name a scenario' : `bench: unknown scenario "${args.scenario}"`}\n\n${usage()}`);
    return 2;
  }
  const mod = await scenario.load();
  return mod.run(args.options);
}

main().then(
  (code) => {
    if (process.env.BENCH_DEBUG === '1') process.stderr.write(`bench: resources still open at exit: ${process.getActiveResourcesInfo().join(', ')}\n`);
    // Explicit exit: a benchmark must end by itself even if some library left a handle open.
    process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
