/**
 * The dashboard in chromium, measured from inside the page: a probe installed before the app's
 * own scripts runs a requestAnimationFrame loop (every frame's timestamp; when the first device
 * tile and the header's "N / N online" appeared) and a PerformanceObserver for long tasks.
 * Main-thread time and heap come from the Chrome DevTools Protocol, which reads them exactly
 * (performance.memory is rounded unless chromium runs with --enable-precise-memory-info).
 */
import type { Browser, CDPSession, Page } from 'playwright-core';
import { z } from 'zod';
import { Session } from '../../test/e2e/helpers/browser.js';
import { summarizeMs, type LatencySummary } from './latency.js';
import { sleep } from './time.js';

/** Fewer steps than this and the scroll covers the list in page-sized strides; more, and it takes bigger ones. */
const MAX_SCROLL_STEPS = 400;
/** A short list is scrolled down and up again until this many steps: p99 needs samples. */
const MIN_SCROLL_STEPS = 150;

/** Runs before the app's scripts on every navigation; `allOnline` reads "N / N online" however the page groups digits. */
const PROBE_SCRIPT = `(() => {
  const probe = { frames: [], longTasks: [], firstTileMs: null, allOnlineMs: null, onlineText: '' };
  window.__acfleetBench = probe;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) probe.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) {
    probe.longTasks = null;
  }
  const allOnline = (text) => {
    const m = /^([\\d,.\\u00a0 ]+)\\/([\\d,.\\u00a0 ]+)online$/.exec(text);
    if (!m) return false;
    const n = (s) => Number(s.replace(/[^\\d]/g, ''));
    return n(m[1]) === n(m[2]) && n(m[2]) > 0;
  };
  const tick = (t) => {
    probe.frames.push(t);
    if (probe.firstTileMs === null && document.querySelector('[data-testid="device"]')) probe.firstTileMs = performance.now();
    if (probe.allOnlineMs === null) {
      const el = document.querySelector('[data-testid="online-count"]');
      probe.onlineText = el ? el.textContent.replace(/\\s+/g, ' ').trim() : '';
      if (allOnline(probe.onlineText)) probe.allOnlineMs = performance.now();
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

const LoadProbe = z.object({ firstTileMs: z.number().nullable(), allOnlineMs: z.number().nullable(), onlineText: z.string() });
/** [startTime, duration] of each long task; null where the browser has no 'longtask' entries. */
const LongTasks = z.array(z.tuple([z.number(), z.number()])).nullable();
const WindowProbe = z.object({ frames: z.array(z.number()), longTasks: LongTasks, now: z.number() });
const DomCount = z.object({ elements: z.number(), tiles: z.number() });
const ScrollProbe = z.object({
  steps: z.array(z.number()),
  blankSteps: z.number(),
  maxElements: z.number(),
  scrollHeight: z.number(),
  viewport: z.number(),
  stride: z.number(),
  lastThing: z.string().nullable(),
  frames: z.array(z.number()),
  longTasks: LongTasks,
});

export interface PageLoad {
  /** performance.now() in the page: from the navigation's start. */
  firstTileMs: number | undefined;
  allOnlineMs: number | undefined;
  /** The header's last reading, for a timeout's report. */
  onlineText: string;
}

export interface LongTaskSummary {
  count: number;
  totalMs: number;
  maxMs: number;
}

/** Share of the wall time the renderer's main thread was running tasks, and what in (CDP). */
export interface MainThreadShare {
  busyPct: number;
  /**
   * CPU the main thread actually got (ThreadTime), and the whole renderer process (ProcessTime):
   * busy well above CPU means the thread waited for a core, the machine's doing, not the page's.
   */
  cpuPct: number;
  processCpuPct: number;
  scriptPct: number;
  layoutPct: number;
  stylePct: number;
  layouts: number;
}

export interface SteadyResult {
  windowMs: number;
  frames: LatencySummary;
  longTasks: LongTaskSummary | undefined;
  mainThread: MainThreadShare;
  /** JSHeapUsedSize after a forced GC at the window's end: what the page keeps. */
  heapBytes: number;
  heapBeforeGcBytes: number;
  /** Elements in the document, and how many are device tiles. */
  dom: { elements: number; tiles: number };
  /** CDP's Nodes: every live DOM node, text nodes and detached ones included. */
  cdpNodes: number;
}

export interface ScrollResult {
  steps: LatencySummary;
  /** Steps after which no tile was in the grid (a blank screen while scrolling). */
  blankSteps: number;
  maxElements: number;
  scrollHeight: number;
  viewport: number;
  stride: number;
  /** The last tile in the DOM at the bottom: the list's end was reached. */
  lastThing: string | undefined;
  /** requestAnimationFrame intervals while scrolling. */
  frames: LatencySummary;
  longTasks: LongTaskSummary | undefined;
  mainThread: MainThreadShare;
}

export interface OpenDashboard {
  session: Session;
  page: Page;
  cdp: CDPSession;
}

export async function openDashboard(browser: Browser): Promise<OpenDashboard> {
  const session = await Session.open(browser);
  const page = await session.page();
  await page.addInitScript(PROBE_SCRIPT);
  const cdp = await session.context.newCDPSession(page);
  await cdp.send('Performance.enable');
  return { session, page, cdp };
}

/** Navigates to `/` and waits for the first tile and for every device online in the header. */
export async function loadDashboard(d: OpenDashboard, http: string, timeoutMs: number): Promise<PageLoad> {
  await d.page.goto(`${http}/`, { waitUntil: 'commit', timeout: timeoutMs });
  const until = Date.now() + timeoutMs;
  for (;;) {
    const probe = LoadProbe.parse(await d.page.evaluate('(({ firstTileMs, allOnlineMs, onlineText }) => ({ firstTileMs, allOnlineMs, onlineText }))(window.__acfleetBench)'));
    const done = probe.firstTileMs !== null && probe.allOnlineMs !== null;
    if (done || Date.now() > until) return { firstTileMs: probe.firstTileMs ?? undefined, allOnlineMs: probe.allOnlineMs ?? undefined, onlineText: probe.onlineText };
    await sleep(100);
  }
}

async function metrics(cdp: CDPSession): Promise<Map<string, number>> {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return new Map(list.map((m) => [m.name, m.value]));
}

const intervals = (frames: readonly number[]): number[] => frames.slice(1).map((t, i) => t - (frames[i] ?? t));

const longTaskSummary = (tasks: readonly (readonly [number, number])[]): LongTaskSummary => ({
  count: tasks.length,
  totalMs: tasks.reduce((a, [, ms]) => a + ms, 0),
  maxMs: Math.max(0, ...tasks.map(([, ms]) => ms)),
});

function mainThreadShare(before: Map<string, number>, after: Map<string, number>): MainThreadShare {
  const delta = (name: string): number => (after.get(name) ?? Number.NaN) - (before.get(name) ?? Number.NaN);
  // CDP's durations are in seconds; its Timestamp too.
  const span = delta('Timestamp');
  const pct = (name: string): number => (delta(name) / span) * 100;
  return { busyPct: pct('TaskDuration'), cpuPct: pct('ThreadTime'), processCpuPct: pct('ProcessTime'), scriptPct: pct('ScriptDuration'), layoutPct: pct('LayoutDuration'), stylePct: pct('RecalcStyleDuration'), layouts: delta('LayoutCount') };
}

async function domCount(page: Page): Promise<{ elements: number; tiles: number }> {
  return DomCount.parse(await page.evaluate(`({ elements: document.getElementsByTagName('*').length, tiles: document.querySelectorAll('[data-testid="device"]').length })`));
}

/** `windowMs` of wall time with the page left alone while the feed flows. */
export async function steadyWindow(d: OpenDashboard, windowMs: number): Promise<SteadyResult> {
  const before = await metrics(d.cdp);
  const from = z.number().parse(await d.page.evaluate('(() => { window.__acfleetBench.frames = []; return performance.now(); })()'));
  await sleep(windowMs);
  const after = await metrics(d.cdp);
  const probe = WindowProbe.parse(await d.page.evaluate('(({ frames, longTasks }) => ({ frames, longTasks, now: performance.now() }))(window.__acfleetBench)'));
  const dom = await domCount(d.page);
  await d.cdp.send('HeapProfiler.collectGarbage');
  const gc = await metrics(d.cdp);
  const tasks = probe.longTasks?.filter(([start]) => start >= from);
  return {
    windowMs: probe.now - from,
    frames: summarizeMs(intervals(probe.frames)),
    longTasks: tasks && longTaskSummary(tasks),
    mainThread: mainThreadShare(before, after),
    heapBytes: gc.get('JSHeapUsedSize') ?? Number.NaN,
    heapBeforeGcBytes: after.get('JSHeapUsedSize') ?? Number.NaN,
    dom,
    cdpNodes: gc.get('Nodes') ?? Number.NaN,
  };
}

/**
 * Scrolls the device grid a viewport per step: down to the bottom, and for a list shorter than
 * MIN_SCROLL_STEPS viewports back up and down again until that many steps are taken, so both
 * fleet sizes' percentiles come from as many samples. Each step sets scrollTop and waits two
 * animation frames (the scroll event and its render land in the first, its paint before the
 * second): a step's time is what a user waits for the tiles under the new position.
 */
const SCROLL_SCRIPT = `(async () => {
  const grid = document.querySelector('[data-testid="device-grid"]');
  if (!grid) throw new Error('no [data-testid="device-grid"] on the page');
  const probe = window.__acfleetBench;
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  grid.scrollTop = 0;
  await frame(); await frame();
  const viewport = grid.clientHeight;
  const end = Math.max(0, grid.scrollHeight - viewport);
  const stride = Math.max(viewport, Math.ceil(end / ${MAX_SCROLL_STEPS}));
  const steps = [];
  let blankSteps = 0;
  let maxElements = 0;
  let lastThing = null;
  let y = 0;
  let down = true;
  const from = performance.now();
  probe.frames = [];
  while (end > 0 && (lastThing === null || steps.length < ${MIN_SCROLL_STEPS})) {
    y = down ? Math.min(y + stride, end) : Math.max(y - stride, 0);
    const t0 = performance.now();
    grid.scrollTop = y;
    await frame(); await frame();
    steps.push(performance.now() - t0);
    if (grid.querySelector('[data-testid="device"]') === null) blankSteps++;
    maxElements = Math.max(maxElements, document.getElementsByTagName('*').length);
    if (y >= end && lastThing === null) {
      const tiles = grid.querySelectorAll('[data-testid="device"]');
      lastThing = tiles.length > 0 ? tiles[tiles.length - 1].getAttribute('data-thing') : '';
    }
    if (y >= end) down = false;
    else if (y <= 0) down = true;
  }
  const frames = probe.frames.slice();
  const longTasks = probe.longTasks && probe.longTasks.filter(([start]) => start >= from);
  grid.scrollTop = 0;
  return { steps, blankSteps, maxElements, scrollHeight: grid.scrollHeight, viewport, stride, lastThing, frames, longTasks };
})()`;

export async function scrollGrid(d: OpenDashboard): Promise<ScrollResult> {
  const before = await metrics(d.cdp);
  const s = ScrollProbe.parse(await d.page.evaluate(SCROLL_SCRIPT));
  const after = await metrics(d.cdp);
  return {
    steps: summarizeMs(s.steps),
    blankSteps: s.blankSteps,
    maxElements: s.maxElements,
    scrollHeight: s.scrollHeight,
    viewport: s.viewport,
    stride: s.stride,
    lastThing: s.lastThing ?? undefined,
    frames: summarizeMs(intervals(s.frames)),
    longTasks: s.longTasks === null ? undefined : longTaskSummary(s.longTasks),
    mainThread: mainThreadShare(before, after),
  };
}
