/**
 * Seeded failure injection (issue 6 §2): what goes wrong, for which device and which job
 * execution. Decisions are pure functions of (seed, thing, job, execution), so the same
 * configuration fails the same devices run after run. The job agent and the thermostat ask; this
 * module decides.
 */
import type { Distribution, GroupFaultsConfig } from '../config/faults.js';
import { probit, Z95 } from '../core/probit.js';
import { hashInts, hashString, unit } from '../core/random.js';

/** How one job execution goes on one device. */
export interface ExecutionFate {
  /**
   * undefined: the handler runs and reports its own outcome.
   * 'fail': the device reports FAILED (reason in statusDetails).
   * 'reject': the device reports REJECTED before changing anything.
   * 'hang': the device takes the job (IN_PROGRESS) and never reports again.
   * 'crash': the device "dies" mid-job (disconnects without a word), comes back after its boot
   *   time and resumes the IN_PROGRESS execution from start-next; never applies it twice.
   */
  fault?: 'fail' | 'reject' | 'hang' | 'crash';
  /** Simulated ms the job's work takes (from `duration`), instead of device.jobStepDuration. */
  durationMs?: number;
  /** For 'crash': how far into durationMs (0–1) the device dies. */
  crashAt?: number;
}

/** Whether a device is offline for good (issue 6 `offline`). */
export type OfflineFate =
  /** Never connects at all. */
  | { kind: 'never' }
  /** Connects, then drops for good `afterMs` of simulated time after its first connect. */
  | { kind: 'drops'; afterMs: number };

/** The faults of one device's group, as the device sees them. */
export interface DeviceFaults {
  execution(thing: string, jobId: string, executionNumber: number): ExecutionFate;
  offline(thing: string): OfflineFate | undefined;
  /** Simulated ms to wait before the device's `n`th MQTT publish (`latency`); 0 for none. */
  publishLatencyMs(thing: string, n: number): number;
}

/** No faults: every execution runs its handler, every device stays online, no added latency. */
export const NO_FAULTS: DeviceFaults = {
  execution: () => ({}),
  offline: () => undefined,
  publishLatencyMs: () => 0,
};

/** Salts keep the draws for different questions about the same device independent. */
const SALT_FATE = 0x66617465;
const SALT_DURATION = 0x64757261;
const SALT_CRASH_AT = 0x63726173;
const SALT_OFFLINE = 0x6f66666c;
const SALT_DROP_AFTER = 0x64726f70;
const SALT_LATENCY = 0x6c617465;

/** Uniform in (0, 1), never 0 or 1: the normal quantile maps those to ±Infinity. */
const open01 = (h: number): number => ((h >>> 0) + 0.5) / 0x1_0000_0000;

/** A draw from `d` (ms, never negative) for the uniform `u` in (0, 1), by inverse CDF. */
export function sampleDistribution(d: Distribution, u: number): number {
  switch (d.dist) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return d.min + u * (d.max - d.min);
    case 'lognormal':
      // ln X ~ N(ln median, σ²), and p95 = median·e^(σ·z95).
      return d.median * Math.exp((Math.log(d.p95 / d.median) / Z95) * probit(u));
    case 'normal':
      // A duration cannot be negative: the left tail piles up at 0.
      return Math.max(0, d.mean + d.stddev * probit(u));
  }
}

/**
 * A group's faults as seeded decisions: every answer is a pure function of (seed, the
 * question's inputs), so two runs with one seed fail the same devices the same way. One object
 * per group, shared by its devices; swapped whole when the faults change.
 */
class SeededFaults implements DeviceFaults {
  /** Cumulative thresholds on one uniform draw: below fail → fail, below fail+reject → reject, … */
  private readonly fates: readonly (readonly [NonNullable<ExecutionFate['fault']>, number])[];
  private readonly offlineNever: number;
  private readonly offlineAny: number;

  constructor(
    private readonly config: GroupFaultsConfig,
    private readonly seed: number,
  ) {
    let sum = 0;
    this.fates = (['fail', 'reject', 'hang', 'crash'] as const).map((f) => [f, (sum += config[f])] as const);
    this.offlineNever = config.offline.never;
    this.offlineAny = config.offline.never + config.offline.drops;
  }

  execution(thing: string, jobId: string, executionNumber: number): ExecutionFate {
    const t = hashString(thing);
    const j = hashString(jobId);
    const fate: ExecutionFate = {};
    const u = unit(hashInts(SALT_FATE, this.seed, t, j, executionNumber));
    for (const [fault, below] of this.fates) {
      if (u < below) {
        fate.fault = fault;
        break;
      }
    }
    if (this.config.duration) fate.durationMs = Math.round(sampleDistribution(this.config.duration, open01(hashInts(SALT_DURATION, this.seed, t, j, executionNumber))));
    // Somewhere in the middle of the work, never at its very start or end.
    if (fate.fault === 'crash') fate.crashAt = 0.1 + 0.8 * unit(hashInts(SALT_CRASH_AT, this.seed, t, j, executionNumber));
    return fate;
  }

  offline(thing: string): OfflineFate | undefined {
    if (this.offlineAny <= 0) return undefined;
    const t = hashString(thing);
    const u = unit(hashInts(SALT_OFFLINE, this.seed, t));
    if (u < this.offlineNever) return { kind: 'never' };
    if (u >= this.offlineAny) return undefined;
    return { kind: 'drops', afterMs: Math.round(sampleDistribution(this.config.offline.dropAfter, open01(hashInts(SALT_DROP_AFTER, this.seed, t)))) };
  }

  publishLatencyMs(thing: string, n: number): number {
    if (!this.config.latency) return 0;
    return Math.round(sampleDistribution(this.config.latency, open01(hashInts(SALT_LATENCY, this.seed, hashString(thing), n))));
  }
}

/** The devices' view of one group's fault settings (issue 6 §2); NO_FAULTS when nothing is switched on. */
export function createDeviceFaults(config: GroupFaultsConfig, seed: number): DeviceFaults {
  const none = config.fail + config.reject + config.hang + config.crash + config.offline.never + config.offline.drops === 0 && !config.duration && !config.latency;
  return none ? NO_FAULTS : new SeededFaults(config, seed);
}
