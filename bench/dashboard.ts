/**
 * The dashboard benchmark (issue 7: "smooth with 10,000 devices"): `acfleet up` with N devices
 * as a user starts it, the dashboard at `/` in Debian's chromium driven by playwright-core, and
 *  1. from navigation: the first device tiles, and the header reading "N / N online";
 *  2. a steady window while telemetry flows: requestAnimationFrame intervals, long tasks,
 *     main-thread time, JS heap, DOM elements (virtualised: independent of N);
 *  3. scrolling the device grid top to bottom, a viewport per step (a short list: down and up
 *     again until as many steps as a long one takes, so both percentiles rest on enough samples);
 *  4. the live feed on the wire over the same window, read from Node: events/s, bytes/s, and
 *     the first snapshot's size and time.
 * Baseline: the same measures on a 200-device fleet in the same run (the repo's fleet.yaml size).
 */
import { loadavg } from 'node:os';
import type { Browser } from 'playwright-core';
import { CHROMIUM, hasChromium, launchBrowser, VIEWPORT } from '../test/e2e/helpers/browser.js';
import type { CliProcess } from '../test/helpers/cli.js';
import type { BenchOptions } from './lib/args.js';
import { watchFeed, type FeedResult } from './lib/dashboard-feed.js';
import { loadDashboard, openDashboard, scrollGrid, steadyWindow, type OpenDashboard } from './lib/dashboard-page.js';
import { dashboardRows, type DashboardRun } from './lib/dashboard-report.js';
import { missingBuild, onlineTimeoutMs, stackCpuMeter, startUp, stopUp } from './lib/dashboard-stack.js';
import { formatCount as n, formatSeconds as s, progressLog, stepRunner } from './lib/progress.js';
import { writeResults } from './lib/report.js';
import { renderRolloutTable } from './lib/rollout-report.js';
import { machineInfo, startWatchdog } from './lib/system.js';
import { sleep, within } from './lib/time.js';

const DEFAULT_DEVICES = 10_000;
const BASELINE_DEVICES = 200;
/** fleet.yaml's speed: telemetry every 10 simulated seconds is every 10 wall seconds. */
const SPEED = 1;
const WINDOW_MS = 20_000;
/** After "N / N online", before the window: the first render's garbage and layout settle. */
const SETTLE_MS = 3_000;

const log = progressLog(Date.now());
const load = (): number[] => loadavg().map((v) => Math.round(v * 100) / 100);
const step = stepRunner(log);

const loud = (lines: string[]): void => {
  const bar = '!'.repeat(100);
  log(`\n${bar}\n${lines.map((l) => `!! ${l}`).join('\n')}\n${bar}\n`);
};

/** The steady window, with the feed counted from Node over the same seconds. */
async function windowPhase(d: OpenDashboard, http: string, pid: number | undefined, r: DashboardRun, tag: string): Promise<void> {
  let snapshotArrived: () => void = () => undefined;
  const snapshot = new Promise<void>((resolve) => (snapshotArrived = resolve));
  const feed = watchFeed(http, WINDOW_MS, 60_000, () => snapshotArrived());
  // Both windows start once the Node client has its snapshot, so its serialisation is not in the page's window.
  await Promise.race([snapshot, feed.then(() => undefined, () => undefined)]);
  const stackCpu = stackCpuMeter(pid);
  const [steady, counted] = await Promise.allSettled([steadyWindow(d, WINDOW_MS), feed]);
  const cpu = (r.stackCpu.steady = stackCpu());
  if (steady.status === 'fulfilled') {
    const x = (r.steady = steady.value);
    log(
      `${tag}steady    ${s(x.windowMs)}: frames p50 ${x.frames.p50Ms.toFixed(1)} ms p99 ${x.frames.p99Ms.toFixed(1)} ms max ${x.frames.maxMs.toFixed(1)} ms (${n(x.frames.count)}); ` +
        `long tasks ${x.longTasks ? `${n(x.longTasks.count)} (${n(x.longTasks.totalMs)} ms)` : 'unobserved'}; main thread ${x.mainThread.busyPct.toFixed(1)} % busy, ${x.mainThread.cpuPct.toFixed(1)} % CPU; ` +
        `heap ${(x.heapBytes / 1024 / 1024).toFixed(1)} MiB after GC; ${n(x.dom.elements)} elements, ${n(x.dom.tiles)} tiles`,
    );
  } else {
    r.errors.push({ step: 'steady window', message: String(steady.reason instanceof Error ? (steady.reason.stack ?? steady.reason.message) : steady.reason) });
  }
  if (counted.status === 'fulfilled') {
    const f: FeedResult = (r.feed = counted.value);
    const sec = f.windowMs / 1000;
    log(
      `${tag}feed      snapshot ${(f.snapshotBytes / 1024).toFixed(1)} KiB (${n(f.snapshotDevices)} devices) in ${s(f.snapshotMs)}; then ${(f.events / sec).toFixed(1)} events/s, ` +
        `${(f.bytes / 1024 / sec).toFixed(1)} KiB/s, ${n(f.deviceUpdates / sec)} device updates/s; stack CPU: cloud ${cpu.cloudPct.toFixed(0)} %, fleet ${cpu.fleetPct.toFixed(0)} %${f.problems.length > 0 ? `; !! ${f.problems.join('; ')}` : ''}`,
    );
  } else {
    r.errors.push({ step: 'live feed', message: String(counted.reason instanceof Error ? (counted.reason.stack ?? counted.reason.message) : counted.reason) });
  }
}

/** One fleet size, start to finish, in a browser of its own; `up` and the browser are always closed. */
async function measureFleet(devices: number): Promise<DashboardRun> {
  const r: DashboardRun = { broker: 'aedes', devices, speed: SPEED, load: load(), stackCpu: {}, pageProblems: [], errors: [] };
  const tag = `[${n(devices)}]`.padEnd(10);
  let up: CliProcess | undefined;
  let browser: Browser | undefined;
  let d: OpenDashboard | undefined;
  try {
    log(`${tag}up        acfleet up --devices ${devices} --speed ${SPEED} --state :memory: …`);
    const stack = await startUp(devices, SPEED, (p) => (up = p));
    r.onlineMs = stack.onlineMs;
    log(`${tag}up        all ${n(devices)} devices online after ${s(stack.onlineMs)}, dashboard at ${stack.http}/`);
    browser = await launchBrowser();
    r.chromium = browser.version();
    log(`${tag}browser   chromium ${r.chromium}, ${VIEWPORT.width}×${VIEWPORT.height}`);
    d = await openDashboard(browser);
    const opened = d;
    await step(r, `page load (${n(devices)} devices)`, async () => {
      const p = (r.page = await loadDashboard(opened, stack.http, onlineTimeoutMs(devices)));
      const at = (v: number | undefined): string => (v === undefined ? 'never' : s(v));
      log(`${tag}load      first tiles ${at(p.firstTileMs)}, "${p.onlineText}" ${at(p.allOnlineMs)} after navigation`);
    });
    await sleep(SETTLE_MS);
    await step(r, `steady window (${n(devices)} devices)`, () => windowPhase(opened, stack.http, stack.pid, r, tag));
    await step(r, `scroll (${n(devices)} devices)`, async () => {
      const stackCpu = stackCpuMeter(stack.pid);
      const x = (r.scroll = await scrollGrid(opened));
      r.stackCpu.scroll = stackCpu();
      log(
        `${tag}scroll    ${n(x.steps.count)} steps of ${n(x.stride)} px: p50 ${x.steps.p50Ms.toFixed(1)} ms p99 ${x.steps.p99Ms.toFixed(1)} ms max ${x.steps.maxMs.toFixed(1)} ms; ` +
          `frames p99 ${x.frames.p99Ms.toFixed(1)} ms; long tasks ${x.longTasks ? `${n(x.longTasks.count)} (${n(x.longTasks.totalMs)} ms)` : 'unobserved'}; main thread ${x.mainThread.busyPct.toFixed(1)} % busy, ${x.mainThread.cpuPct.toFixed(1)} % CPU; ` +
          `${n(x.blankSteps)} blank; at most ${n(x.maxElements)} elements; bottom tile ${x.lastThing ?? '?'}`,
      );
    });
  } catch (e) {
    r.errors.push({ step: `${n(devices)} devices`, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    log(`${tag}!!! ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  } finally {
    if (d) {
      r.pageProblems = d.session.problems.splice(0);
      if (r.pageProblems.length > 0) log(`${tag}!!! the page reported ${r.pageProblems.length} error(s), first: ${r.pageProblems[0]?.split('\n')[0] ?? ''}`);
      await within(d.session.close(), 10_000);
    }
    if (browser) await within(browser.close(), 10_000);
    if (up) {
      const code = await stopUp(up);
      if (code !== 0) log(`${tag}!!! acfleet up exited ${code}${up.stderr ? `: ${up.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
    }
  }
  return r;
}

export async function run(o: BenchOptions): Promise<number> {
  const devices = o.devices ?? DEFAULT_DEVICES;
  if (!hasChromium) {
    loud([`SKIPPED: the dashboard bench drives chromium, which is not at ${CHROMIUM}.`, 'Install it (apt-get install -y chromium) or point CHROMIUM_PATH at a Chromium binary. Nothing was measured.']);
    return 0;
  }
  const missing = missingBuild();
  if (missing.length > 0) {
    loud([`acfleet is not built (${missing.join(', ')} missing): run npm run build first; the bench starts bin/acfleet.js as a user would.`]);
    return 1;
  }
  const startedAt = new Date();
  const machine = machineInfo();
  // Generous: it is there for a hang, not to time anything.
  const watchdog = startWatchdog(10 * 60_000 + (devices + BASELINE_DEVICES) * 60);
  log(
    `acfleet dashboard bench: ${n(devices)} devices against a ${n(BASELINE_DEVICES)}-device baseline, speed ${SPEED}, ${s(WINDOW_MS)} steady window; ` +
      `chromium ${CHROMIUM}; ${machine.cores} cores, node ${machine.node}, load ${load().join(' ')}\n`,
  );
  const baseline = await measureFleet(BASELINE_DEVICES);
  // Let the OS finish closing the first stack's 400 sockets before the next one opens its own.
  await sleep(1000);
  const measured = await measureFleet(devices);
  const rows = dashboardRows(measured, baseline);
  log(`\n${renderRolloutTable(rows)}\n`);
  const file = writeResults(o.outDir, 'dashboard', startedAt, {
    scenario: 'dashboard',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: { ...o, devices, speed: SPEED, windowMs: WINDOW_MS },
    machine,
    chromium: CHROMIUM,
    results: { baseline, measured },
    rows,
  });
  log(`results: ${file}`);
  clearTimeout(watchdog);
  return [baseline, measured].some((r) => r.errors.length > 0) || rows.some((row) => row.result === 'ERROR') ? 1 : 0;
}
