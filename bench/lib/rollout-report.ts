/** The rollout bench's results: what goes into the JSON file, and the table of targets met or missed. */
import type { BrokerKind } from './brokers.js';
import type { Verdict } from './report.js';
import type { RateResult } from './rollout-rate.js';
import type { SnapshotResult } from './rollout-snapshot.js';
import type { UpdatesResult } from './rollout-updates.js';

export const TARGET_RATE_DEVIATION_PCT = 1;
export const TARGET_UPDATES_PER_SEC = 2_000;
export const TARGET_SNAPSHOT_MS = 30_000;
export const TARGET_SNAPSHOT_DEVICES = 10_000;

export interface RolloutBrokerResult {
  broker: BrokerKind;
  /** The real fleet of the SNAPSHOT measure. */
  devices: number;
  /** The lean things of the rate and updates measures. */
  leanThings: number;
  speed: number;
  /** os.loadavg() as each part began: the machine is shared. */
  load: Record<string, number[]>;
  rate: RateResult[];
  updates: { shadow?: UpdatesResult; jobs?: UpdatesResult };
  snapshot?: SnapshotResult;
  errors: { step: string; message: string }[];
}

export interface RolloutRow {
  broker: string;
  measure: string;
  acfleet: string;
  baseline: string;
  /** acfleet ÷ baseline */
  ratio: number | undefined;
  target: string;
  result: Verdict;
  note?: string;
}

const ok = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);
const num = (v: number | undefined, digits = 0): string => (ok(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—');
const sec = (ms: number | undefined): string => (ok(ms) ? `${num(ms / 1000, 2)} s` : '—');
const mean = (vs: (number | undefined)[]): number | undefined => {
  const good = vs.filter(ok);
  return good.length > 0 ? good.reduce((a, b) => a + b, 0) / good.length : undefined;
};
const loopNote = (c: { loopP99Ms: number; loopMaxMs: number } | undefined): string => (c ? `cloud loop p99 ${num(c.loopP99Ms)} ms, max ${num(c.loopMaxMs)} ms` : 'no cloud reading');

/** 100×23, 101, 99: runs of equal counts folded. */
export function foldCounts(counts: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < counts.length; ) {
    let j = i;
    while (j < counts.length && counts[j] === counts[i]) j++;
    parts.push(j - i > 1 ? `${num(counts[i])}×${j - i}` : num(counts[i]));
    i = j;
  }
  return parts.join(', ');
}

function rateRows(r: RolloutBrokerResult, x: RateResult): RolloutRow[] {
  const n = x.maximumPerMinute;
  const sides = [
    { side: "devices' notify-next", m: x.device },
    { side: "executions' queuedAt", m: x.store },
  ];
  return sides.map(({ side, m }): RolloutRow => {
    let result: Verdict = m.maxDeviationPct <= TARGET_RATE_DEVIATION_PCT ? 'PASS' : 'MISS';
    if (!x.complete) result = 'ERROR';
    else if (m.worst === undefined) result = 'SKIP';
    const extra = side.startsWith('devices')
      ? `; any minute from a release: ${x.sliding ? `${num(x.sliding.min)}–${num(x.sliding.max)}` : '—'}; mean ${num(x.meanPerMinute, 1)}/min; first notify-next ${num(x.firstReleaseDelayMs, 1)} ms (wall) after createdAt, median delay ${num(x.medianDelayMs, 1)} ms; ${loopNote(x.cloud)}`
      : `; any minute from a release (whole seconds): ${x.storeSliding ? `${num(x.storeSliding.min)}–${num(x.storeSliding.max)}` : '—'}; clock skew bench↔cloud ${num(x.clockSkewSimMs)} sim ms`;
    const problems = [...(x.complete ? [] : [`only ${num(x.released)}/${num(x.targets)} released`]), ...x.anomalies];
    // At speed s, N per simulated minute is N·s/60 per wall second: what the cloud and broker must carry.
    const wall = `${num((n * r.speed) / 60)} releases/s wall at speed ${num(r.speed)}`;
    return {
      broker: r.broker,
      measure: `releases per full sim. minute, maximumPerMinute ${num(n)}, things ${x.mode === 'hold' ? 'idle' : 'running each execution at once'} (${side})`,
      acfleet: m.worst === undefined ? 'no full minute' : `worst ${num(m.worst)}/min`,
      baseline: `${num(n)}/min set`,
      ratio: m.worst === undefined ? undefined : m.worst / n,
      target: `±${TARGET_RATE_DEVIATION_PCT} % every minute`,
      result,
      note: `${num(x.targets)} things, ${wall}, ${m.counts.length} full minutes: ${foldCounts(m.counts) || '—'} (max deviation ${num(m.maxDeviationPct, 1)} %)${extra}${problems.length > 0 ? `; !! ${problems.join('; ')}` : ''}`,
    };
  });
}

function updatesRow(r: RolloutBrokerResult): RolloutRow | undefined {
  const { jobs, shadow } = r.updates;
  if (!jobs && !shadow) return undefined;
  const storeNote = (u: UpdatesResult | undefined): string =>
    u?.cloud
      ? `driver CPU ${num((u.driverCpuMs / u.cloud.wallMs) * 100)} %, disk ${num(u.cloud.diskWriteBytes / 1024 / 1024 / (u.cloud.wallMs / 1000), 1)} MiB/s, WAL ${num(u.cloud.walBytes / 1024 / 1024, 1)} MiB, cloud CPU ${num(u.cloud.cpuMs / u.cloud.wallMs * 100)} %, ${loopNote(u.cloud)}`
      : 'no cloud reading';
  const complete = jobs?.complete === true && jobs.rejected === 0;
  let result: Verdict = ok(jobs?.perSec) && jobs.perSec >= TARGET_UPDATES_PER_SEC ? 'PASS' : 'MISS';
  if (!complete) result = 'ERROR';
  const issues = [jobs && !jobs.complete ? `jobs: ${num(jobs.accepted)}/${num(jobs.things * jobs.perThing)} accepted` : '', shadow && !shadow.complete ? `shadow: ${num(shadow.accepted)}/${num(shadow.things * shadow.perThing)}` : '']
    .concat(jobs && jobs.rejected > 0 ? [`jobs: ${jobs.rejected} rejected`] : [], shadow && shadow.rejected > 0 ? [`shadow: ${shadow.rejected} rejected`] : [])
    .filter(Boolean);
  return {
    broker: r.broker,
    measure: 'execution status updates/s on the state file (start-next, IN_PROGRESS, SUCCEEDED; baseline: shadow updates)',
    acfleet: `${num(jobs?.perSec)}/s`,
    baseline: `${num(shadow?.perSec)}/s`,
    ratio: ok(jobs?.perSec) && ok(shadow?.perSec) ? jobs.perSec / shadow.perSec : undefined,
    target: `≥ ${num(TARGET_UPDATES_PER_SEC)}/s`,
    result,
    note:
      `${num(jobs?.things)} things × ${num(jobs?.perThing)} updates, one in flight per thing; cloud-counted ${num(jobs?.cloudPerSec)}/s incl. empty start-next answers (shadow ${num(shadow?.cloudPerSec)}/s); ` +
      `jobs: ${storeNote(jobs)}; shadow: ${storeNote(shadow)}${issues.length > 0 ? `; !! ${issues.join('; ')}` : ''}`,
  };
}

function snapshotRow(r: RolloutBrokerResult): RolloutRow | undefined {
  const s = r.snapshot;
  if (!s) return undefined;
  const done = s.rounds.filter((x) => x.job?.complete === true);
  const times = s.rounds.map((x) => x.job?.jobCompletedMs);
  const jobMs = mean(times);
  const shadowMs = mean(s.rounds.map((x) => (x.shadow?.complete === true ? x.shadow.elapsedMs : undefined)));
  let result: Verdict = times.length > 0 && times.every((t) => ok(t) && t <= TARGET_SNAPSHOT_MS) ? 'PASS' : 'MISS';
  if (done.length !== s.rounds.length || s.rounds.length === 0) result = 'ERROR';
  const each = [s.warmup, ...s.rounds].map((x, i) => `${i === 0 ? 'warm-up' : `#${i}`} ${sec(x?.job?.jobCompletedMs)} (${num(x?.job?.perSec)} exec/s, ${loopNote(x?.job?.cloud)})`);
  const scaled = s.devices === TARGET_SNAPSHOT_DEVICES ? '' : `; !! the target is for ${num(TARGET_SNAPSHOT_DEVICES)} devices, this run had ${num(s.devices)}`;
  return {
    broker: r.broker,
    measure: `${num(s.devices)}-device SNAPSHOT job, no rollout limit, instant handler: CreateJob → COMPLETED (baseline: a shadow round trip each)`,
    acfleet: sec(jobMs),
    baseline: sec(shadowMs),
    ratio: ok(jobMs) && ok(shadowMs) ? jobMs / shadowMs : undefined,
    target: `≤ ${num(TARGET_SNAPSHOT_MS / 1000)} s`,
    result,
    note: `rounds: ${each.join('; ')}; fleet up in ${sec(s.fleetReadyMs)}${scaled}`,
  };
}

export function rolloutRows(results: readonly RolloutBrokerResult[]): RolloutRow[] {
  const rows: RolloutRow[] = [];
  for (const r of results) {
    for (const x of r.rate) rows.push(...rateRows(r, x));
    for (const row of [updatesRow(r), snapshotRow(r)]) if (row) rows.push(row);
    for (const e of r.errors) rows.push({ broker: r.broker, measure: `step "${e.step}" failed`, acfleet: '', baseline: '', ratio: undefined, target: '', result: 'ERROR', note: e.message.split('\n')[0] ?? '' });
  }
  return rows;
}

export function renderRolloutTable(rows: readonly RolloutRow[]): string {
  const header = ['broker', 'measure', 'acfleet', 'baseline', 'ratio', 'target', 'result'];
  const cells = rows.map((r) => [r.broker, r.measure, r.acfleet, r.baseline, ok(r.ratio) ? `${r.ratio.toFixed(3)}×` : '', r.target, r.result]);
  const width = (i: number): number => Math.max(...[header, ...cells].map((c) => (c[i] ?? '').length));
  // The measures are long: they are numbered in the table and spelled out below it.
  const numbered = cells.map((c, i) => [c[0] ?? '', `(${i + 1})`, ...c.slice(2)]);
  const head = [header[0] ?? '', '#', ...header.slice(2)];
  const widths = head.map((_, i) => (i === 1 ? Math.max(1, ...numbered.map((c) => (c[1] ?? '').length)) : width(i)));
  const line = (c: readonly string[]): string => c.map((v, i) => (i >= 2 && i <= 4 ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const legend = rows.map((r, i) => `  (${i + 1}) ${r.measure}${r.note ? `\n      ${r.note}` : ''}`);
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...numbered.map(line), '', ...legend].join('\n');
}
