/**
 * The baseline fleet: bare MQTT.js clients in as many worker threads as FleetPool would use, each
 * thread with FleetPool's handshake concurrency. Measured from thread spawn, as the fleet's
 * connect rate is measured from FleetPool.start, so both include their threads' start-up.
 */
import type { BareToMain, MainToBare } from './bare-protocol.js';
import type { BenchIdentity } from './identities.js';
import { splitEvenly } from './identities.js';
import { TsThread } from './thread.js';
import { nowMs } from './time.js';

const WORKER_FILE = new URL('./bare-worker.ts', import.meta.url);

export interface BareConnectResult {
  devices: number;
  connected: number;
  failed: number;
  /** Spawn → last CONNACK, ms (or until the deadline when some never answered). */
  elapsedMs: number;
  /** Spawn → first CONNACK, ms: thread start-up and module loading. */
  firstMs: number;
  latenciesMs: Float64Array;
  complete: boolean;
  lastError: string | undefined;
}

export interface BarePublishResult {
  published: number;
  dropped: number;
  /** Per worker, the event-loop p99 of each second of the window, ms. */
  loopP99Ms: number[][];
}

type Thread = TsThread<MainToBare, BareToMain>;

export class BareFleet {
  private constructor(
    private readonly threads: Thread[],
    private readonly startedAt: number,
    private readonly devices: number,
  ) {}

  static start(url: string, identities: readonly BenchIdentity[], workers: number, maxInFlight: number): BareFleet {
    const startedAt = nowMs();
    const threads = splitEvenly(identities, workers).map(
      (slice) => new TsThread<MainToBare, BareToMain>(WORKER_FILE, { url, identities: slice, maxInFlight, keepaliveSec: 60 }),
    );
    return new BareFleet(threads, startedAt, identities.length);
  }

  /** Waits (at most `timeoutMs`) for every thread to report its clients connected or failed. */
  async connected(timeoutMs: number): Promise<BareConnectResult> {
    const deadline = this.startedAt + timeoutMs;
    const reports = await Promise.all(this.threads.map((t) => t.inbox.next('connected', Math.max(0, deadline - nowMs()))));
    const done = reports.filter((r): r is Extract<BareToMain, { type: 'connected' }> => r !== undefined);
    const complete = done.length === this.threads.length;
    const connected = done.reduce((a, r) => a + r.connected, 0);
    const latencies = new Float64Array(connected);
    let k = 0;
    for (const r of done) {
      latencies.set(r.latenciesMs, k);
      k += r.latenciesMs.length;
    }
    const firsts = done.filter((r) => r.connected > 0).map((r) => r.firstAtMs);
    return {
      devices: this.devices,
      connected,
      failed: done.reduce((a, r) => a + r.failed, 0),
      elapsedMs: complete ? Math.max(...done.map((r) => r.lastAtMs)) - this.startedAt : timeoutMs,
      firstMs: firsts.length > 0 ? Math.min(...firsts) - this.startedAt : Number.NaN,
      latenciesMs: latencies,
      complete,
      lastError: done.find((r) => r.lastError !== undefined)?.lastError ?? this.threads.find((t) => t.inbox.closedReason)?.inbox.closedReason,
    };
  }

  /** Every client publishes as fast as its socket drains until `untilMs` (absolute). */
  async publishUntil(untilMs: number): Promise<BarePublishResult> {
    for (const t of this.threads) t.send({ type: 'publish', untilMs });
    const wait = untilMs - nowMs() + 30_000;
    const reports = await Promise.all(this.threads.map((t) => t.inbox.next('published', wait)));
    return {
      published: reports.reduce((a, r) => a + (r?.count ?? 0), 0),
      dropped: reports.reduce((a, r) => a + (r?.dropped ?? 0), 0),
      loopP99Ms: reports.map((r) => r?.loopP99Ms ?? []),
    };
  }

  /** Ends every client (`end(true)`), then the threads; a thread that does not answer is terminated anyway. */
  async stop(): Promise<void> {
    for (const t of this.threads) t.send({ type: 'stop' });
    await Promise.all(this.threads.map((t) => t.inbox.next('stopped', 30_000)));
    await Promise.all(this.threads.map((t) => t.terminate()));
  }
}
