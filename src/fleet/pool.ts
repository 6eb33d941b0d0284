import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { configuredFaults, type FaultsByGroup } from '../config/faults.js';
import type { FleetConfig } from '../config/schema.js';
import type { ClockEpoch } from '../core/clock.js';
import { AcfleetError, ErrorCodes } from '../core/errors.js';
import type { LogLevel } from '../core/log.js';
import { newCounters, type FleetCounters } from '../device/context.js';
import type { MainToWorker, TransportSpec, WorkerResult, WorkerStats, WorkerTask, WorkerToMain } from './protocol.js';
import { shardSlots, splitSlots, type Shard } from './shard.js';

export interface FleetPoolOptions {
  config: FleetConfig;
  /** Each group's faults to start with; default fleet.yaml's. */
  faults?: FaultsByGroup;
  /** MQTT URL the devices connect to with MQTT.js… */
  brokerUrl: string;
  /** …unless another transport is chosen (aws-iot-device-sdk-v2). */
  transport?: TransportSpec;
  deviceSecret: string | null;
  clockEpoch: ClockEpoch;
  shard?: Shard;
  /** Worker threads; default: one per core, never more than one per 50 devices. */
  workers?: number;
  logLevel?: LogLevel;
  /** Handshakes in flight per worker. */
  maxConcurrentConnects?: number;
  statsIntervalMs?: number;
  onStats?: (stats: FleetStats) => void;
}

export interface FleetStats {
  devices: number;
  workers: number;
  counters: FleetCounters;
  /** Worst worker's event-loop delay p99, ms. */
  eventLoopP99Ms: number;
  heapUsedBytes: number;
}

/** Handshakes in flight per worker unless told otherwise. */
export const DEFAULT_CONNECTS_IN_FLIGHT = 256;

/** One worker per core, never more than one per 50 devices. */
export const defaultWorkerCount = (devices: number, requested?: number): number => Math.max(1, Math.min(requested ?? availableParallelism(), Math.ceil(devices / 50)));

// Running from TypeScript sources (tests, `tsx`): the worker needs the tsx loader too.
const fromSources = import.meta.url.endsWith('.ts');
const WORKER_FILE = new URL(fromSources ? './worker.ts' : './worker.js', import.meta.url).href;

/** The fleet: a piscina pool in which each worker runs one long task holding a slice of devices. */
export class FleetPool {
  private readonly latest = new Map<number, WorkerStats>();
  private readonly ports: MessageChannel['port1'][] = [];
  private readonly results: Promise<WorkerResult>[] = [];
  private stopping: Promise<FleetCounters> | undefined;
  private faultsRevision = 0;
  /** Changes of faults not yet acknowledged by every worker. */
  private readonly faultsPending = new Map<number, { waiting: number; resolve: () => void }>();

  private constructor(
    private readonly piscina: Piscina,
    readonly deviceCount: number,
    private readonly onStats: ((s: FleetStats) => void) | undefined,
  ) {}

  static start(o: FleetPoolOptions): FleetPool {
    const slots = shardSlots(o.config, o.shard);
    const devices = slots.length / 2;
    const workers = defaultWorkerCount(devices, o.workers);
    const piscina = new Piscina({
      filename: WORKER_FILE,
      minThreads: workers,
      maxThreads: workers,
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      execArgv: fromSources ? ['--import', 'tsx'] : [],
    });
    const pool = new FleetPool(piscina, devices, o.onStats);
    splitSlots(slots, workers).forEach((slice, workerIndex) => {
      const { port1, port2 } = new MessageChannel();
      port1.on('message', (m: WorkerToMain) => pool.onWorkerMessage(m));
      pool.ports.push(port1);
      const task: WorkerTask = {
        workerIndex,
        config: o.config,
        faults: o.faults ?? configuredFaults(o.config),
        slots: slice,
        transport: o.transport ?? { kind: 'mqttjs', url: o.brokerUrl },
        deviceSecret: o.deviceSecret,
        clockEpoch: o.clockEpoch,
        logLevel: o.logLevel ?? 'info',
        maxConcurrentConnects: o.maxConcurrentConnects ?? DEFAULT_CONNECTS_IN_FLIGHT,
        statsIntervalMs: o.statsIntervalMs ?? 1000,
        port: port2,
      };
      pool.results.push(
        piscina.run(task, { transferList: [port2] }).catch(
          (e: unknown): WorkerResult => ({ ok: false, workerIndex, error: { code: ErrorCodes.WORKER_FAILED, message: String(e) } }),
        ),
      );
    });
    return pool;
  }

  /** Latest aggregate of every worker's report. */
  stats(): FleetStats {
    const counters = newCounters();
    let eventLoopP99Ms = 0;
    let heapUsedBytes = 0;
    for (const s of this.latest.values()) {
      for (const k of Object.keys(counters) as (keyof FleetCounters)[]) counters[k] += s.counters[k];
      eventLoopP99Ms = Math.max(eventLoopP99Ms, s.eventLoopP99Ms);
      heapUsedBytes += s.heapUsedBytes;
    }
    return { devices: this.deviceCount, workers: this.ports.length, counters, eventLoopP99Ms, heapUsedBytes };
  }

  /** Resolves with the first worker failure, if any worker fails while running. */
  failures(): Promise<WorkerResult & { ok: false }> {
    return new Promise((resolve) => {
      for (const r of this.results) void r.then((res) => !res.ok && resolve(res));
    });
  }

  /**
   * Gives the named groups new faults in every worker; resolves once every worker's devices
   * decide with them.
   */
  setFaults(faults: FaultsByGroup): Promise<void> {
    if (this.stopping) return Promise.resolve();
    const revision = ++this.faultsRevision;
    const msg: MainToWorker = { type: 'faults', revision, faults };
    return new Promise((resolve) => {
      this.faultsPending.set(revision, { waiting: this.ports.length, resolve });
      for (const p of this.ports) p.postMessage(msg);
    });
  }

  /** Disconnects every device cleanly and shuts the pool down. */
  stop(): Promise<FleetCounters> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private onWorkerMessage(m: WorkerToMain): void {
    if (m.type === 'stats') {
      this.latest.set(m.stats.workerIndex, m.stats);
      this.onStats?.(this.stats());
    } else if (m.type === 'faults-applied') {
      const pending = this.faultsPending.get(m.revision);
      if (pending && --pending.waiting <= 0) {
        this.faultsPending.delete(m.revision);
        pending.resolve();
      }
    }
  }

  private async shutdown(): Promise<FleetCounters> {
    const stop: MainToWorker = { type: 'stop' };
    for (const p of this.ports) p.postMessage(stop);
    const results = await Promise.all(this.results);
    // Workers that stopped acknowledge no more changes.
    for (const p of this.faultsPending.values()) p.resolve();
    this.faultsPending.clear();
    for (const p of this.ports) p.close();
    await this.piscina.destroy();
    const failed = results.find((r): r is WorkerResult & { ok: false } => !r.ok);
    if (failed) throw new AcfleetError(ErrorCodes.WORKER_FAILED, `fleet worker ${failed.workerIndex} failed: ${failed.error.message}`);
    return this.stats().counters;
  }
}
