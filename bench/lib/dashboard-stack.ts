/**
 * The dashboard bench's stack, started as a user starts it: `acfleet up` on the repo's fleet.yaml
 * scaled to N devices, in memory, on ports the OS picks. It runs the built CLI (dist/), like `npm start`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliProcess, REPO } from '../../test/helpers/cli.js';
import { nowMs, within } from './time.js';

/** What `acfleet up` needs built: the CLI and the page it serves. */
export const BUILT_FILES = ['dist/cli/main.js', 'dist/dashboard/index.html', 'dist/dashboard/app.js'];

export const missingBuild = (): string[] => BUILT_FILES.filter((f) => !existsSync(join(REPO, f)));

/** `dashboard  http://…/` or `HTTP       http://…`, whichever the banner prints. */
const URL_LINE = /\b(?:dashboard|HTTP)\s+(http:\/\/[^/\s]+)/;
/** A clean stop lets the fleet process say goodbye to 10,000 connections: give it time, then kill. */
const STOP_GRACE_MS = 60_000;

export interface UpStack {
  /** The cloud's HTTP origin, no trailing slash: the dashboard at `/`. */
  http: string;
  /** From spawning `acfleet up` until it printed `all N devices online`. */
  onlineMs: number;
  /** The cloud process (the fleet is its child): its CPU time is read from /proc. */
  pid: number | undefined;
}

export const onlineTimeoutMs = (devices: number): number => 60_000 + devices * 20;

/**
 * Starts `acfleet up` and waits until every device is online. The process is handed to `track`
 * before anything can fail, so the caller's `finally` stops a half-started stack too.
 */
export async function startUp(devices: number, speed: number, track: (p: CliProcess) => void): Promise<UpStack> {
  const startedAt = nowMs();
  const up = new CliProcess(['up', '--config', 'fleet.yaml', '--devices', String(devices), '--speed', String(speed), '--state', ':memory:', '--http-port', '0', '--mqtt-port', '0', '--log-level', 'warn']);
  track(up);
  const [, http] = await up.waitFor(URL_LINE, 60_000);
  await up.waitFor(new RegExp(`all ${devices} devices online`), onlineTimeoutMs(devices));
  return { http: String(http), onlineMs: nowMs() - startedAt, pid: up.child.pid };
}

/** SIGINT (a clean stop, as Ctrl+C), then SIGKILL after the grace period. Returns the exit code, or 'killed'. */
export async function stopUp(up: CliProcess): Promise<number | null | 'killed'> {
  const code = await within(up.stop('SIGINT'), STOP_GRACE_MS);
  if (code !== undefined) return code;
  up.child.kill('SIGKILL');
  await up.exited;
  return 'killed';
}

/** utime + stime of one process in ms, from /proc/<pid>/stat (clock ticks are 100 Hz on Linux). */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * CPU ms used so far by `acfleet up` (the cloud: broker, shadow, the feed) and by its children
 * (the fleet process): what the stack takes from the cores the browser runs on.
 */
function stackCpuMs(pid: number | undefined): { cloudMs: number; fleetMs: number } {
  if (pid === undefined) return { cloudMs: Number.NaN, fleetMs: Number.NaN };
  return { cloudMs: cpuMsOf(pid), fleetMs: childPids(pid).reduce((a, c) => a + cpuMsOf(c), 0) };
}

/** The stack's CPU in % of one core, cloud and fleet apart. */
export interface StackCpu {
  cloudPct: number;
  fleetPct: number;
}

/** Starts counting now; the function returned reads the share since. */
export function stackCpuMeter(pid: number | undefined): () => StackCpu {
  const was = stackCpuMs(pid);
  const t0 = nowMs();
  return () => {
    const now = stackCpuMs(pid);
    const wall = nowMs() - t0;
    return { cloudPct: ((now.cloudMs - was.cloudMs) / wall) * 100, fleetPct: ((now.fleetMs - was.fleetMs) / wall) * 100 };
  };
}
