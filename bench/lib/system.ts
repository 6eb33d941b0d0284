/** Facts about this machine and process that the results depend on. */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';

export interface OpenFilesLimit {
  soft: number;
  hard: number;
}

/** `ulimit -n` of this process (children inherit it), from /proc/self/limits. */
export function openFilesLimit(): OpenFilesLimit | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const m = line ? /Max open files\s+(\S+)\s+(\S+)/.exec(line) : null;
    if (!m) return undefined;
    const num = (v: string | undefined): number => (v === 'unlimited' || v === undefined ? Number.POSITIVE_INFINITY : Number(v));
    return { soft: num(m[1]), hard: num(m[2]) };
  } catch {
    return undefined;
  }
}

export function openFdCount(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return Number.NaN;
  }
}

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  totalMemBytes: number;
  node: string;
  platform: string;
  openFiles: OpenFilesLimit | undefined;
}

export function machineInfo(): MachineInfo {
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemBytes: totalmem(),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    openFiles: openFilesLimit(),
  };
}

/**
 * The pids of this process's direct children (mosquitto, measurement children), from /proc.
 * Used only by the watchdog, to end what this bench started before it exits.
 */
export function ownChildPids(): number[] {
  const me = process.pid;
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 is the parent pid; field 2 (the name) may contain spaces, so split after its ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === me) out.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** Last resort against a hang: end this bench's own children (by pid) and exit. */
export function startWatchdog(limitMs: number): ReturnType<typeof setTimeout> {
  const t = setTimeout(() => {
    process.stderr.write(`bench: !!! exceeded its ${Math.round(limitMs / 60_000)}-minute limit; stopping its child processes and exiting\n`);
    for (const pid of ownChildPids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.exit(1);
  }, limitMs);
  t.unref();
  return t;
}
