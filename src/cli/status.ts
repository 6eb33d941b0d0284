import cliProgress from 'cli-progress';
import type { FleetCounters } from '../device/context.js';
import type { FleetStats } from '../fleet/pool.js';

export interface StatusSample {
  stats: FleetStats;
  /** Wall ms of the sample. */
  atMs: number;
  /** Simulated epoch ms, for the clock shown in the status line. */
  simMs: number;
  speed: number;
}

function jobsSummary(c: FleetCounters): string {
  const failed = c.jobsFailed + c.jobsRejected > 0 ? `, ${c.jobsFailed} failed, ${c.jobsRejected} rejected` : '';
  return `jobs ${c.jobsSucceeded}/${c.jobsStarted} succeeded${failed}`;
}

export function formatStatusLine(s: StatusSample, msgsPerSec: number): string {
  const c = s.stats.counters;
  const sim = new Date(s.simMs).toISOString().slice(0, 19).replace('T', ' ');
  return [
    `${c.online}/${s.stats.devices} online`,
    c.connecting > 0 ? `${c.connecting} connecting` : undefined,
    `${msgsPerSec.toFixed(1)} msg/s out`,
    `${c.desiredApplied} desired applied`,
    c.desiredRefused > 0 ? `${c.desiredRefused} refused` : undefined,
    c.jobsStarted + c.jobsRejected > 0 ? jobsSummary(c) : undefined,
    c.errors + c.connectFailures > 0 ? `${c.errors + c.connectFailures} errors` : undefined,
    `sim ${sim}${s.speed !== 1 ? ` (×${s.speed})` : ''}`,
  ]
    .filter(Boolean)
    .join(' · ');
}

/**
 * A progress bar while the fleet connects, then one live status line (rewritten in place on a
 * terminal; printed every 10 s otherwise).
 */
export class StatusDisplay {
  private bar: cliProgress.SingleBar | undefined;
  /** Rates are measured against a sample at least a second old: workers report at slightly different times. */
  private rateBase: StatusSample | undefined;
  private rate = 0;
  private lastPrinted = 0;
  private phase: 'connecting' | 'running' | 'stopped' = 'connecting';
  private readonly tty: boolean;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {
    this.tty = Boolean(out.isTTY);
  }

  update(sample: StatusSample): void {
    if (this.phase === 'stopped') return;
    const total = sample.stats.devices;
    const { online } = sample.stats.counters;
    if (this.phase === 'connecting') {
      if (this.tty) {
        this.bar ??= new cliProgress.SingleBar(
          { format: 'connecting devices [{bar}] {value}/{total} online · {connecting} connecting', stream: this.out, hideCursor: true, clearOnComplete: false },
          cliProgress.Presets.shades_classic,
        );
        if (!this.bar.isActive) this.bar.start(total, online, { connecting: sample.stats.counters.connecting });
        this.bar.update(online, { connecting: sample.stats.counters.connecting });
      }
      if (online >= total) {
        this.bar?.stop();
        this.phase = 'running';
        this.out.write(`all ${total} devices online\n`);
      }
    }
    if (!this.rateBase) this.rateBase = sample;
    else if (sample.atMs - this.rateBase.atMs >= 1000) {
      this.rate = ((sample.stats.counters.published - this.rateBase.stats.counters.published) * 1000) / (sample.atMs - this.rateBase.atMs);
      this.rateBase = sample;
    }
    if (this.phase !== 'running') return;
    const line = formatStatusLine(sample, this.rate);
    if (this.tty) this.out.write(`\r\x1b[2K${line}`);
    else if (sample.atMs - this.lastPrinted >= 10_000) {
      this.lastPrinted = sample.atMs;
      this.out.write(`${line}\n`);
    }
  }

  /** A line of news (e.g. changed faults) that the status line must not overwrite. */
  note(line: string): void {
    if (this.phase === 'stopped') return;
    this.out.write(this.tty && this.phase === 'running' ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }

  stop(): void {
    if (this.phase === 'stopped') return;
    this.bar?.stop();
    if (this.tty && this.phase === 'running') this.out.write('\n');
    this.phase = 'stopped';
  }
}
