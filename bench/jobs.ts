/**
 * The jobs benchmark: for each broker, one cloud (child process, as `acfleet cloud`) and one fleet
 * of N devices in a single group. Baseline, measured on that same fleet in the same run: a shadow
 * round trip for every device. Measured: a CreateJob for the group, until every execution has
 * SUCCEEDED. A warm-up round, then two measured rounds of (baseline, job); the table shows
 * their means and jobs ÷ baseline.
 */
import { fleetThings } from '../src/cloud/registry/fleet-things.js';
import type { BenchOptions } from './lib/args.js';
import { hasMosquitto, type BrokerKind } from './lib/brokers.js';
import { startJobsCloud } from './lib/jobs-cloud.js';
import { benchJobsConfig } from './lib/jobs-config.js';
import { JobsOperator } from './lib/jobs-operator.js';
import { groupArnOf, jobRollout, shadowRoundTrips, type PhaseResult } from './lib/jobs-phases.js';
import { jobsRows, renderJobsTable, type JobsBrokerResult, type Round } from './lib/jobs-report.js';
import { withPool } from './lib/pool.js';
import { writeResults } from './lib/report.js';
import { machineInfo, startWatchdog } from './lib/system.js';
import { formatCount as n, formatSeconds as s, progressLog, stepRunner } from './lib/progress.js';
import { nowMs, sleep, waitForCount } from './lib/time.js';

const DEFAULT_DEVICES = 2_000;
/** Round 0 warms the cloud's code paths (JIT, first job) and is left out of the means; then these many measured rounds. */
const ROUNDS = 2;
/** The baseline's desired colour per round: each differs from what the devices report before it (red, then the job's green). */
const BASELINE_COLORS = ['yellow', 'purple', 'orange'] as const;

const log = progressLog(Date.now());

function describePhase(p: PhaseResult): string {
  const what = p.phase === 'job' ? 'executions SUCCEEDED' : 'shadow round trips';
  const cloud = p.cloud ? `; cloud CPU ${n(p.cloud.cpuMs)} ms, loop p99 ${p.cloud.loopP99Ms.toFixed(1)} ms` : '';
  const job = p.phase === 'job' ? `; CreateJob ${n(p.createJobMs ?? Number.NaN)} ms, completed event at ${s(p.jobCompletedMs ?? Number.NaN)}` : '';
  return `${n(p.done)}/${n(p.devices)} ${what} in ${s(p.elapsedMs)} (${n(p.perSec)}/s), p50 ${n(p.latency.p50Ms)} ms p99 ${n(p.latency.p99Ms)} ms, ${p.deviceMsgsPerDevice.toFixed(1)} device msgs each${cloud}${job}`;
}

const step = stepRunner(log);

function checkPhase(r: JobsBrokerResult, name: string, p: PhaseResult): void {
  if (!p.complete) r.errors.push({ step: name, message: `only ${p.done}/${p.devices} devices finished` });
  const other = Object.entries(p.otherEvents ?? {}).filter(([op]) => op !== 'succeeded');
  if (other.length > 0) r.errors.push({ step: name, message: `execution events besides succeeded: ${JSON.stringify(Object.fromEntries(other))}` });
}

async function benchBroker(kind: BrokerKind, devices: number): Promise<JobsBrokerResult> {
  const r: JobsBrokerResult = { broker: kind, devices, fleetReadyMs: Number.NaN, rounds: [], errors: [] };
  const tag = `[${kind}]`.padEnd(12);
  const config = benchJobsConfig(devices);
  const things = [...fleetThings(config)].map((t) => t.thingName);
  const groupArn = groupArnOf(config.region, config.account);
  const cloud = await startJobsCloud(kind, devices);
  try {
    const operator = await JobsOperator.connect(cloud.mqttUrl);
    try {
      const startedAt = nowMs();
      await withPool(
        { config, brokerUrl: cloud.mqttUrl, deviceSecret: cloud.deviceSecret, clockEpoch: cloud.clockEpoch, logLevel: 'error', statsIntervalMs: 100 },
        async ({ pool, failure }) => {
          const online = await waitForCount(() => pool.stats().counters.online, devices, { timeoutMs: 90_000 + devices * 20, stallMs: 15_000, pollMs: 20 });
          const synced = await waitForCount(() => pool.stats().counters.shadowSyncs, devices, { timeoutMs: 30_000, stallMs: 5_000, pollMs: 20 });
          r.fleetReadyMs = nowMs() - startedAt;
          log(`${tag}fleet     ${n(online.value)}/${n(devices)} online, ${n(synced.value)} shadows synced after ${s(r.fleetReadyMs)}`);
          if (!online.reached || !synced.reached) throw new Error(`the fleet did not come up: ${n(online.value)} online, ${n(synced.value)} synced${failure() ? `; ${failure() ?? ''}` : ''}`);
          for (let i = 0; i <= ROUNDS; i++) {
            const round: Round = {};
            if (i === 0) r.warmup = round;
            else r.rounds.push(round);
            await step(r, `round ${i} shadow baseline`, async () => {
              round.shadow = await shadowRoundTrips(cloud, operator, pool, things, BASELINE_COLORS[i % BASELINE_COLORS.length] ?? 'yellow');
              log(`${tag}shadow  ${i === 0 ? 'w' : i} ${describePhase(round.shadow)}`);
              checkPhase(r, `round ${i} shadow baseline`, round.shadow);
            });
            await step(r, `round ${i} job rollout`, async () => {
              round.job = await jobRollout(cloud, operator, pool, devices, `bench-rollout-${i}`, groupArn);
              log(`${tag}job     ${i === 0 ? 'w' : i} ${describePhase(round.job)}`);
              checkPhase(r, `round ${i} job rollout`, round.job);
            });
          }
          const f = failure();
          if (f) r.errors.push({ step: 'fleet', message: f });
        },
      );
    } finally {
      await operator.close();
    }
  } finally {
    await cloud.stop();
    const died = cloud.died();
    if (died) r.errors.push({ step: 'cloud', message: died });
  }
  return r;
}

export async function run(o: BenchOptions): Promise<number> {
  const devices = o.devices ?? DEFAULT_DEVICES;
  const startedAt = new Date();
  const machine = machineInfo();
  const watchdog = startWatchdog(5 * 60_000 + devices * 120);
  log(`acfleet jobs bench: ${n(devices)} devices in one group, broker ${o.broker}, ${machine.cores} cores, node ${machine.node}; job step 0 s, telemetry every 1 h, a warm-up round and ${ROUNDS} measured rounds of (shadow baseline, job)\n`);
  const wanted: BrokerKind[] = o.broker === 'both' ? ['mosquitto', 'aedes'] : [o.broker];
  const skipped: { broker: BrokerKind; reason: string }[] = [];
  const results: JobsBrokerResult[] = [];
  for (const kind of wanted) {
    if (kind === 'mosquitto' && !hasMosquitto) {
      const reason = 'mosquitto is not installed (apt-get install -y mosquitto)';
      log(`\n${'!'.repeat(100)}\n!! SKIPPED: ${reason}\n${'!'.repeat(100)}\n`);
      skipped.push({ broker: kind, reason });
      continue;
    }
    try {
      results.push(await benchBroker(kind, devices));
    } catch (e) {
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      log(`[${kind}] !!! ${message}`);
      results.push({ broker: kind, devices, fleetReadyMs: Number.NaN, rounds: [], errors: [{ step: 'setup', message }] });
    }
    await sleep(1000);
  }
  const rows = jobsRows(results);
  log(`\n${renderJobsTable(rows)}\n`);
  const file = writeResults(o.outDir, 'jobs', startedAt, { scenario: 'jobs', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), options: { ...o, devices }, machine, results, skipped, rows });
  log(`results: ${file}`);
  clearTimeout(watchdog);
  return results.some((r) => r.errors.length > 0) ? 1 : 0;
}
