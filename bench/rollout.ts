/**
 * The rollout benchmark (issue 5 §9), for each broker:
 *  1. rate accuracy: a cloud at speed 60 and lean things in one group; jobs with
 *     maximumPerMinute 1,000 and 100, releases counted per full simulated minute from the
 *     devices' notify-next and from the executions' queuedAt. Baseline: the rate configured.
 *  2. execution status updates/s on the state file (start-next, IN_PROGRESS, SUCCEEDED), on that
 *     same cloud and things. Baseline: as many shadow updates, same things, same store.
 *  3. a SNAPSHOT job without a rollout limit on acfleet's real fleet (10,000 devices, instant
 *     handler), CreateJob → COMPLETED. Baseline: a shadow round trip for every device.
 * Every cloud keeps its state in a file, as `acfleet cloud` does by default.
 */
import { loadavg } from 'node:os';
import { benchIdentities } from './lib/identities.js';
import type { BenchOptions } from './lib/args.js';
import { chooseBrokers } from './lib/broker-choice.js';
import type { BrokerKind } from './lib/brokers.js';
import { benchJobsConfig } from './lib/jobs-config.js';
import { groupArnOf } from './lib/jobs-phases.js';
import { LeanFleet } from './lib/lean-things.js';
import { formatCount as n, formatSeconds as s, progressLog, stepRunner } from './lib/progress.js';
import { writeResults } from './lib/report.js';
import { startRolloutCloud, type RolloutCloud } from './lib/rollout-cloud.js';
import { measureRate, type RateMode, type RateResult } from './lib/rollout-rate.js';
import { renderRolloutTable, rolloutRows, type RolloutBrokerResult } from './lib/rollout-report.js';
import { measureSnapshot } from './lib/rollout-snapshot.js';
import { jobUpdates, shadowUpdates, UPDATES_PER_EXECUTION, type UpdatesResult } from './lib/rollout-updates.js';
import { machineInfo, startWatchdog } from './lib/system.js';
import { sleep } from './lib/time.js';

const SNAPSHOT_DEVICES = 10_000;
/** Lean things for the rate and updates measures: 2½ minutes at 1,000/min, so two full minutes. */
const LEAN_THINGS = 2_500;
/** The speed the issue asks for the rate measure (fleet.yaml `speed: 60`). */
const RATE_SPEED = 60;
/** Each rate with things that only note their notify-next, then with things that also run the execution. */
const RATE_JOBS: readonly { rate: number; mode: RateMode }[] = [
  { rate: 1_000, mode: 'hold' },
  { rate: 100, mode: 'hold' },
  { rate: 1_000, mode: 'run' },
  { rate: 100, mode: 'run' },
];
/** About this many status updates per updates phase: some seconds of work at the target rate. */
const UPDATES_WANTED = 30_000;
const MAX_JOBS_PER_THING = 20;
/** Measured rounds of (shadow baseline, SNAPSHOT job) after a warm-up round. */
const SNAPSHOT_ROUNDS = 2;

const log = progressLog(Date.now());
const load = (): number[] => loadavg().map((v) => Math.round(v * 100) / 100);

function describeRate(x: RateResult): string {
  const side = (m: RateResult['device']): string => `[${m.counts.join(', ')}] max dev ${Number.isFinite(m.maxDeviationPct) ? m.maxDeviationPct.toFixed(1) : '—'} %`;
  const cloud = x.cloud ? `; cloud CPU ${((x.cloud.cpuMs / x.cloud.wallMs) * 100).toFixed(0)} %, loop p99 ${x.cloud.loopP99Ms.toFixed(0)} ms max ${x.cloud.loopMaxMs.toFixed(0)} ms` : '';
  return `${n(x.released)}/${n(x.targets)} released in ${s(x.wallMs)}; full minutes, devices ${side(x.device)}, queuedAt ${side(x.store)}; mean ${x.meanPerMinute.toFixed(1)}/min; job ${x.jobStatus}${cloud}`;
}

function describeUpdates(u: UpdatesResult): string {
  const c = u.cloud;
  const store = c ? `; disk ${((c.diskWriteBytes / 1024 / 1024) * (1000 / c.wallMs)).toFixed(1)} MiB/s, cloud CPU ${((c.cpuMs / c.wallMs) * 100).toFixed(0)} %, loop p99 ${c.loopP99Ms.toFixed(0)} ms max ${c.loopMaxMs.toFixed(0)} ms` : '';
  return `${n(u.accepted)}/${n(u.things * u.perThing)} accepted in ${s(u.elapsedMs)}: ${n(u.perSec)}/s (cloud-counted ${n(u.cloudPerSec)}/s), ${u.rejected} rejected; driver CPU ${((u.driverCpuMs / u.elapsedMs) * 100).toFixed(0)} %${store}`;
}

/** Parts 1 and 2: one cloud at speed 60, the lean things connected to it throughout. */
async function leanPart(kind: BrokerKind, things: number, r: RolloutBrokerResult, step: ReturnType<typeof stepRunner>, tag: string): Promise<void> {
  r.load.rate = load();
  const cloud = await startRolloutCloud(kind, things, RATE_SPEED);
  try {
    const config = benchJobsConfig(things);
    const groupArn = groupArnOf(config.region, config.account);
    const lean = await LeanFleet.connect(cloud.mqttUrl, benchIdentities(config, cloud.deviceSecret));
    try {
      log(`${tag}lean      ${n(lean.size)} lean things connected to a cloud at speed ${cloud.speed} (state file ${cloud.statePath})`);
      for (const { rate, mode } of RATE_JOBS) {
        await step(r, `rate ${rate}/min (${mode})`, async () => {
          const x = await measureRate(cloud, lean, groupArn, rate, `rate-${rate}-${mode}`, mode);
          r.rate.push(x);
          log(`${tag}rate      ${n(rate)}/min, things ${mode === 'hold' ? 'idle  ' : 'running'}: ${describeRate(x)}`);
        });
      }
      await updatesPart(cloud, lean, groupArn, r, step, tag);
    } finally {
      await lean.close();
    }
  } finally {
    await cloud.stop();
    const died = cloud.died();
    if (died !== undefined) r.errors.push({ step: 'rate cloud', message: died });
  }
}

async function updatesPart(cloud: RolloutCloud, lean: LeanFleet, groupArn: string, r: RolloutBrokerResult, step: ReturnType<typeof stepRunner>, tag: string): Promise<void> {
  r.load.updates = load();
  const jobsPerThing = Math.min(MAX_JOBS_PER_THING, Math.max(1, Math.ceil(UPDATES_WANTED / UPDATES_PER_EXECUTION / lean.size)));
  await step(r, 'shadow updates warm-up', async () => {
    const u = await shadowUpdates(cloud, lean, 1);
    log(`${tag}shadow    warm-up: ${describeUpdates(u)}`);
  });
  await step(r, 'shadow updates', async () => {
    const u = (r.updates.shadow = await shadowUpdates(cloud, lean, jobsPerThing * UPDATES_PER_EXECUTION));
    log(`${tag}shadow    ${describeUpdates(u)}`);
  });
  await step(r, 'job status updates', async () => {
    const u = (r.updates.jobs = await jobUpdates(cloud, lean, groupArn, jobsPerThing, 'updates'));
    log(`${tag}jobs      ${n(jobsPerThing)} jobs × ${n(lean.size)} things: ${describeUpdates(u)}`);
  });
}

/** Part 3: a fresh cloud (speed 1, state file) and acfleet's real fleet. */
async function snapshotPart(kind: BrokerKind, devices: number, r: RolloutBrokerResult, step: ReturnType<typeof stepRunner>, tag: string): Promise<void> {
  r.load.snapshot = load();
  const cloud = await startRolloutCloud(kind, devices, 1);
  try {
    r.snapshot = await measureSnapshot(cloud, devices, SNAPSHOT_ROUNDS, (name, body) => step(r, name, body), (line) => log(`${tag}${line}`));
  } finally {
    await cloud.stop();
    const died = cloud.died();
    if (died !== undefined) r.errors.push({ step: 'snapshot cloud', message: died });
  }
}

async function benchBroker(kind: BrokerKind, devices: number): Promise<RolloutBrokerResult> {
  const things = Math.min(devices, LEAN_THINGS);
  const r: RolloutBrokerResult = { broker: kind, devices, leanThings: things, speed: RATE_SPEED, load: {}, rate: [], updates: {}, errors: [] };
  const tag = `[${kind}]`.padEnd(12);
  const step = stepRunner(log);
  await step(r, 'rate and updates', () => leanPart(kind, things, r, step, tag));
  await step(r, 'SNAPSHOT job', () => snapshotPart(kind, devices, r, step, tag));
  r.load.end = load();
  return r;
}

export async function run(o: BenchOptions): Promise<number> {
  const devices = o.devices ?? SNAPSHOT_DEVICES;
  const startedAt = new Date();
  const machine = machineInfo();
  // Generous: it is there for a hang, not to time anything.
  const watchdog = startWatchdog((o.broker === 'both' ? 2 : 1) * (6 * 60_000 + devices * 60));
  log(
    `acfleet rollout bench: rates 1,000 and 100/min at speed ${RATE_SPEED} on ${n(Math.min(devices, LEAN_THINGS))} lean things; status updates on a state file; ` +
      `a ${n(devices)}-device SNAPSHOT job; broker ${o.broker}; ${machine.cores} cores, node ${machine.node}, load ${load().join(' ')}\n`,
  );
  const results: RolloutBrokerResult[] = [];
  const { run: brokers, skipped } = chooseBrokers(o.broker, log);
  for (const kind of brokers) {
    results.push(await benchBroker(kind, devices));
    await sleep(1000);
  }
  const rows = rolloutRows(results);
  log(`\n${renderRolloutTable(rows)}\n`);
  const finishedAt = new Date();
  const file = writeResults(o.outDir, 'rollout', startedAt, { scenario: 'rollout', startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), options: { ...o, devices }, machine, results, skipped, rows });
  log(`results: ${file}`);
  clearTimeout(watchdog);
  return results.some((r) => r.errors.length > 0) || rows.some((row) => row.result === 'ERROR') ? 1 : 0;
}
