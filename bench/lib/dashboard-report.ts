/**
 * The dashboard bench's results: what goes into the JSON file, and the table of N devices against
 * the 200-device baseline (rendered like the rollout bench's: string cells, measures spelled out below).
 */
import type { FeedResult } from './dashboard-feed.js';
import type { StackCpu } from './dashboard-stack.js';
import type { LongTaskSummary, MainThreadShare, PageLoad, ScrollResult, SteadyResult } from './dashboard-page.js';
import type { Verdict } from './report.js';
import type { RolloutRow } from './rollout-report.js';

/** requestAnimationFrame p99 in the steady window: about three frames at 60 Hz, "near one frame". */
export const TARGET_FRAME_P99_MS = 50;
/** "Updates batched, at most a few per second" (issue 7). */
export const TARGET_FEED_EVENTS_PER_SEC = 5;
/** Virtualised: the DOM holds what is in view, so N devices need no more elements than 200. */
export const TARGET_DOM_RATIO = 1.25;
/**
 * Scrolling, against the 200-device run: headless chromium paints in software here, so even 200
 * devices scroll above one frame a step; what 10,000 must not add is work that grows with N.
 */
export const TARGET_SCROLL_RATIO = 1.5;

export interface DashboardRun {
  /** `acfleet up` runs the embedded broker. */
  broker: 'aedes';
  /** The chromium version: each fleet size gets a fresh browser, so the baseline does not pay alone for a cold one. */
  chromium?: string;
  devices: number;
  speed: number;
  /** os.loadavg() as the run began: the machine is shared. */
  load: number[];
  /** From spawning `acfleet up` to `all N devices online`. */
  onlineMs?: number;
  page?: PageLoad;
  steady?: SteadyResult;
  scroll?: ScrollResult;
  feed?: FeedResult;
  /** The stack's own CPU over the steady window and over the scroll: it shares the machine with chromium. */
  stackCpu: { steady?: StackCpu; scroll?: StackCpu };
  /** Console errors and uncaught exceptions the page reported. */
  pageProblems: string[];
  errors: { step: string; message: string }[];
}

const ok = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);
const num = (v: number | undefined, digits = 0): string => (ok(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—');
const ms = (v: number | undefined): string => (ok(v) ? `${num(v, 1)} ms` : '—');
const sec = (v: number | undefined): string => (ok(v) ? `${num(v / 1000, 1)} s` : '—');
const pct = (v: number | undefined): string => (ok(v) ? `${num(v, 1)} %` : '—');
const kib = (v: number | undefined): string => (ok(v) ? (v >= 1024 * 1024 ? `${num(v / 1024 / 1024, 2)} MiB` : `${num(v / 1024, 1)} KiB`) : '—');
const ratioOf = (a: number | undefined, b: number | undefined): number | undefined => (ok(a) && ok(b) && b !== 0 ? a / b : undefined);
const perSec = (count: number | undefined, windowMs: number | undefined): number | undefined => (ok(count) && ok(windowMs) && windowMs > 0 ? (count * 1000) / windowMs : undefined);

interface Measure {
  measure: string;
  /** The value the ratio is taken of, and how it is shown. */
  value: (r: DashboardRun) => number | undefined;
  show: (r: DashboardRun) => string;
  target?: string;
  /** PASS/MISS from the N-device run (and the baseline); 'info' where there is no target. */
  verdict?: (n: DashboardRun, base: DashboardRun) => Verdict;
  note?: (n: DashboardRun, base: DashboardRun) => string;
}

const share = (m: MainThreadShare | undefined): string => (m ? `${pct(m.scriptPct)} / ${pct(m.layoutPct)} / ${pct(m.stylePct)}, ${num(m.layouts)} layouts` : '—');
const longTasks = (t: LongTaskSummary | undefined): string => (t ? `${num(t.count)}, ${ms(t.totalMs)}` : '—');
const cpu = (m: MainThreadShare | undefined, stack: StackCpu | undefined): string =>
  `main thread CPU ${pct(m?.cpuPct)}, renderer ${pct(m?.processCpuPct)}; stack: cloud ${pct(stack?.cloudPct)}, fleet ${pct(stack?.fleetPct)}`;
const atMost = (v: number | undefined, limit: number): Verdict => (ok(v) ? (v <= limit ? 'PASS' : 'MISS') : 'ERROR');
const both = (n: DashboardRun, b: DashboardRun, f: (r: DashboardRun) => string): string => `${num(n.devices)}: ${f(n)}; ${num(b.devices)}: ${f(b)}`;

function measures(n: DashboardRun): Measure[] {
  const N = num(n.devices);
  const win = (r: DashboardRun): string => `${num((r.steady?.windowMs ?? Number.NaN) / 1000, 1)} s`;
  return [
    {
      measure: `first device tiles on screen, from navigation to /`,
      value: (r) => r.page?.firstTileMs,
      show: (r) => ms(r.page?.firstTileMs),
      note: (a, b) => `fleet up (acfleet up → all devices online): ${both(a, b, (r) => sec(r.onlineMs))}; machine load at start ${both(a, b, (r) => r.load.join(' '))}`,
    },
    {
      measure: `header reads "${N} / ${N} online", from navigation to /`,
      value: (r) => r.page?.allOnlineMs,
      show: (r) => ms(r.page?.allOnlineMs),
      verdict: (a) => (ok(a.page?.allOnlineMs) ? 'info' : 'ERROR'),
      note: (a) => (ok(a.page?.allOnlineMs) ? '' : `!! never did; the header last read "${a.page?.onlineText ?? ''}"`),
    },
    {
      measure: 'requestAnimationFrame interval p50, steady window, feed flowing',
      value: (r) => r.steady?.frames.p50Ms,
      show: (r) => ms(r.steady?.frames.p50Ms),
      note: (a, b) => `frames: ${both(a, b, (r) => `${num(r.steady?.frames.count)} in ${win(r)}`)} (60 Hz: 16.7 ms each)`,
    },
    {
      measure: 'requestAnimationFrame interval p99, steady window, feed flowing',
      value: (r) => r.steady?.frames.p99Ms,
      show: (r) => ms(r.steady?.frames.p99Ms),
      target: `≤ ${TARGET_FRAME_P99_MS} ms`,
      verdict: (a) => atMost(a.steady?.frames.p99Ms, TARGET_FRAME_P99_MS),
      note: (a, b) => `p90 ${both(a, b, (r) => ms(r.steady?.frames.p90Ms))}`,
    },
    {
      measure: 'requestAnimationFrame interval max, steady window',
      value: (r) => r.steady?.frames.maxMs,
      show: (r) => ms(r.steady?.frames.maxMs),
    },
    {
      measure: 'long tasks (> 50 ms) in the steady window: count, total',
      value: (r) => r.steady?.longTasks?.totalMs,
      show: (r) => longTasks(r.steady?.longTasks),
      note: (a, b) => `ratio of the totals; longest ${both(a, b, (r) => ms(r.steady?.longTasks?.maxMs))}`,
    },
    {
      measure: "renderer main thread busy (CDP TaskDuration ÷ wall), steady window",
      value: (r) => r.steady?.mainThread.busyPct,
      show: (r) => pct(r.steady?.mainThread.busyPct),
      note: (a, b) =>
        `script / layout / style: ${both(a, b, (r) => share(r.steady?.mainThread))}. Busy above CPU: the thread waited for a core. CPU, % of one core: ${both(a, b, (r) => cpu(r.steady?.mainThread, r.stackCpu.steady))}`,
    },
    {
      measure: 'JS heap used after a forced GC, end of the steady window',
      value: (r) => r.steady?.heapBytes,
      show: (r) => kib(r.steady?.heapBytes),
      note: (a, b) => `before the GC ${both(a, b, (r) => kib(r.steady?.heapBeforeGcBytes))}`,
    },
    {
      measure: 'DOM elements in the document, steady window',
      value: (r) => r.steady?.dom.elements,
      show: (r) => num(r.steady?.dom.elements),
      target: `independent of N (≤ ${TARGET_DOM_RATIO}×)`,
      verdict: (a, b) => atMost(ratioOf(a.steady?.dom.elements, b.steady?.dom.elements), TARGET_DOM_RATIO),
      note: (a, b) => `device tiles in the DOM ${both(a, b, (r) => num(r.steady?.dom.tiles))}; CDP Nodes (text and detached included) ${both(a, b, (r) => num(r.steady?.cdpNodes))}`,
    },
    {
      measure: 'DOM elements, most while scrolling the device grid',
      value: (r) => r.scroll?.maxElements,
      show: (r) => num(r.scroll?.maxElements),
      target: `independent of N (≤ ${TARGET_DOM_RATIO}×)`,
      verdict: (a, b) => atMost(ratioOf(a.scroll?.maxElements, b.scroll?.maxElements), TARGET_DOM_RATIO),
    },
    {
      measure: 'scrolling the device grid a viewport per step, top to bottom (a short list: down and up again, ≥ 150 steps): ms per step (scrollTop set → two frames later), p50 / p99',
      value: (r) => r.scroll?.steps.p99Ms,
      show: (r) => (r.scroll ? `${ms(r.scroll.steps.p50Ms)} / ${ms(r.scroll.steps.p99Ms)}` : '—'),
      verdict: (a) => (a.scroll === undefined ? 'ERROR' : a.scroll.blankSteps > 0 ? 'MISS' : 'info'),
      note: (a, b) =>
        `ratio of the p99s; floor is two frames (33 ms); ${both(a, b, (r) => (r.scroll ? `${num(r.scroll.steps.count)} steps of ${num(r.scroll.stride)} px over ${num(r.scroll.scrollHeight)} px, max ${ms(r.scroll.steps.maxMs)}, ${num(r.scroll.blankSteps)} blank, bottom tile ${r.scroll.lastThing ?? '?'}` : '—'))}`,
    },
    {
      measure: 'requestAnimationFrame interval p99 while scrolling',
      value: (r) => r.scroll?.frames.p99Ms,
      show: (r) => ms(r.scroll?.frames.p99Ms),
      target: `≤ ${TARGET_SCROLL_RATIO}× baseline`,
      verdict: (a, b) => atMost(ratioOf(a.scroll?.frames.p99Ms, b.scroll?.frames.p99Ms), TARGET_SCROLL_RATIO),
      note: (a, b) => `max ${both(a, b, (r) => `${ms(r.scroll?.frames.maxMs)} of ${num(r.scroll?.frames.count)} frames`)}`,
    },
    {
      measure: 'long tasks (> 50 ms) while scrolling: count, total',
      value: (r) => r.scroll?.longTasks?.totalMs,
      show: (r) => longTasks(r.scroll?.longTasks),
      note: (a, b) => `ratio of the totals; longest ${both(a, b, (r) => ms(r.scroll?.longTasks?.maxMs))}; main thread busy, then script / layout / style: ${both(a, b, (r) => `${pct(r.scroll?.mainThread.busyPct)}: ${share(r.scroll?.mainThread)}`)}; CPU, % of one core: ${both(a, b, (r) => cpu(r.scroll?.mainThread, r.stackCpu.scroll))}`,
    },
    {
      measure: 'live feed (GET /_acfleet/live from Node): events/s after the snapshot',
      value: (r) => perSec(r.feed?.events, r.feed?.windowMs),
      show: (r) => `${num(perSec(r.feed?.events, r.feed?.windowMs), 1)}/s`,
      target: `≤ ${TARGET_FEED_EVENTS_PER_SEC}/s`,
      verdict: (a) => atMost(perSec(a.feed?.events, a.feed?.windowMs), TARGET_FEED_EVENTS_PER_SEC),
      note: (a, b) => `device updates/s ${both(a, b, (r) => num(perSec(r.feed?.deviceUpdates, r.feed?.windowMs)))}; longest gap between events ${both(a, b, (r) => ms(r.feed?.maxGapMs))}`,
    },
    {
      measure: 'live feed: bytes/s after the snapshot',
      value: (r) => perSec(r.feed?.bytes, r.feed?.windowMs),
      show: (r) => `${kib(perSec(r.feed?.bytes, r.feed?.windowMs))}/s`,
      note: (a, b) => `per event ${both(a, b, (r) => kib(ratioOf(r.feed?.bytes, r.feed?.events)))}`,
    },
    {
      measure: 'live feed: the snapshot event, size',
      value: (r) => r.feed?.snapshotBytes,
      show: (r) => kib(r.feed?.snapshotBytes),
      note: (a, b) => `devices in it ${both(a, b, (r) => num(r.feed?.snapshotDevices))}`,
    },
    {
      measure: 'live feed: the snapshot event, request → received whole',
      value: (r) => r.feed?.snapshotMs,
      show: (r) => ms(r.feed?.snapshotMs),
    },
  ];
}

export function dashboardRows(n: DashboardRun, base: DashboardRun): RolloutRow[] {
  const rows = measures(n).map((m): RolloutRow => {
    const note = m.note?.(n, base);
    return {
      broker: n.broker,
      measure: m.measure,
      acfleet: m.show(n),
      baseline: m.show(base),
      ratio: ratioOf(m.value(n), m.value(base)),
      target: m.target ?? '',
      result: m.verdict?.(n, base) ?? (ok(m.value(n)) ? 'info' : 'ERROR'),
      ...(note ? { note } : {}),
    };
  });
  for (const r of [base, n]) {
    if (r.pageProblems.length > 0) rows.push({ broker: r.broker, measure: `${num(r.devices)} devices: the page reported ${r.pageProblems.length} error(s)`, acfleet: '', baseline: '', ratio: undefined, target: '', result: 'info', note: r.pageProblems[0]?.split('\n')[0] ?? '' });
    for (const e of r.errors) rows.push({ broker: r.broker, measure: `${num(r.devices)} devices: step "${e.step}" failed`, acfleet: '', baseline: '', ratio: undefined, target: '', result: 'ERROR', note: e.message.split('\n')[0] ?? '' });
  }
  return rows;
}
