/**
 * Lean stand-ins for devices: one MQTT.js client per thing, logged in as that thing (the broker's
 * ACL lets a thing use only its own topics), doing nothing but the jobs device protocol with an
 * instant handler, or shadow updates for the baseline. They cost far less than acfleet's devices,
 * so on a 2-core machine the cloud, not the driver, sets the pace; and they note the moment each
 * thing's notify-next names a job, which the real fleet's workers do not report.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { DEFAULT_CONNECTS_IN_FLIGHT } from '../../src/fleet/pool.js';
import type { BenchIdentity } from './identities.js';
import { nowMs, sleep } from './time.js';

export interface LeanCounters {
  /** Accepted answers that changed an execution: start-next handing one out, and each UpdateJobExecution. */
  jobUpdates: number;
  /** Executions taken to SUCCEEDED. */
  executions: number;
  /** start-next answered with nothing left to do. */
  idleAnswers: number;
  shadowUpdates: number;
  /** Rejected jobs or shadow requests (the bench reports them: none are expected). */
  rejected: number;
  /** Every message the things received: still for a while means nothing is in flight to them. */
  messages: number;
  /** Wall ms (nowMs) of the last accepted answer. */
  lastAnswerAt: number;
}

/** Per job, the wall time (nowMs) at which each thing's first notify-next naming it arrived. */
export class ReleaseLog {
  private readonly byJob = new Map<string, Map<string, number>>();

  note(jobId: string, thing: string, atMs: number): void {
    let things = this.byJob.get(jobId);
    if (!things) this.byJob.set(jobId, (things = new Map()));
    if (!things.has(thing)) things.set(thing, atMs);
  }

  count(jobId: string): number {
    return this.byJob.get(jobId)?.size ?? 0;
  }

  /** Arrival times, ascending. */
  times(jobId: string): number[] {
    return [...(this.byJob.get(jobId)?.values() ?? [])].sort((a, b) => a - b);
  }
}

type Phase = 'idle' | 'asking' | 'running' | 'finishing';

/** One thing's side of the protocol: one request in flight at a time, as the device's JobAgent. */
class LeanThing {
  private phase: Phase = 'idle';
  /** notify-next named work while a request was in flight. */
  private notified = false;
  private job: { updateTopic: string; version: number | undefined } | undefined;
  private tokens = 0;
  private shadowLeft = 0;
  private readonly prefix: string;

  constructor(
    readonly name: string,
    private readonly client: MqttClient,
    private readonly fleet: LeanFleet,
  ) {
    this.prefix = `$aws/things/${name}/`;
    client.on('message', (topic, payload) => this.onMessage(topic.slice(this.prefix.length), payload));
  }

  subscriptions(): string[] {
    const p = this.prefix;
    return [`${p}jobs/notify-next`, `${p}jobs/start-next/+`, `${p}jobs/+/update/+`, `${p}shadow/update/+`];
  }

  askNext(): void {
    this.phase = 'asking';
    this.notified = false;
    this.client.publish(`${this.prefix}jobs/start-next`, `{"clientToken":"${++this.tokens}"}`, { qos: 1 });
  }

  updateShadow(times: number): void {
    this.shadowLeft = times;
    this.nextShadowUpdate();
  }

  end(): Promise<void> {
    return new Promise((resolve) => this.client.end(true, {}, () => resolve()));
  }

  private nextShadowUpdate(): void {
    if (this.shadowLeft <= 0) return;
    this.shadowLeft--;
    // A setpoint that differs from the last one, so every update really changes the stored document.
    const body = `{"state":{"reported":{"setpoint":${20 + (this.shadowLeft % 2)}}},"clientToken":"${++this.tokens}"}`;
    this.client.publish(`${this.prefix}shadow/update`, body, { qos: 1 });
  }

  private onMessage(suffix: string, payload: Buffer): void {
    const c = this.fleet.counters;
    c.messages++;
    if (suffix === 'shadow/update/accepted') {
      c.shadowUpdates++;
      c.lastAnswerAt = nowMs();
      return this.nextShadowUpdate();
    }
    if (suffix.endsWith('/rejected')) {
      c.rejected++;
      if (suffix.startsWith('shadow/')) return this.nextShadowUpdate();
      // A refused start-next would only be refused again: stop (the bench reports the count).
      if (suffix === 'jobs/start-next/rejected') return void (this.phase = 'idle');
      // The execution is gone or changed under us: ask for the next, as the device's agent does.
      return this.askNext();
    }
    const doc = JSON.parse(payload.toString()) as { execution?: { jobId?: string; versionNumber?: number } };
    if (suffix === 'jobs/notify-next') return this.onNotify(doc.execution?.jobId);
    if (suffix === 'jobs/start-next/accepted') return this.onStarted(doc.execution);
    if (suffix.endsWith('/update/accepted') && this.job) this.onUpdated(this.job);
  }

  private onNotify(jobId: string | undefined): void {
    if (jobId === undefined) return;
    this.fleet.releases.note(jobId, this.name, nowMs());
    if (!this.fleet.follow) return;
    if (this.phase === 'idle') this.askNext();
    else this.notified = true;
  }

  private onStarted(execution: { jobId?: string; versionNumber?: number } | undefined): void {
    const c = this.fleet.counters;
    if (execution?.jobId === undefined) {
      c.idleAnswers++;
      this.phase = 'idle';
      if (this.notified) this.askNext();
      return;
    }
    c.jobUpdates++;
    c.lastAnswerAt = nowMs();
    const job = { updateTopic: `${this.prefix}jobs/${execution.jobId}/update`, version: execution.versionNumber };
    this.job = job;
    // The instant handler still reports a step, as the settings-change handler does before its result.
    this.phase = 'running';
    this.sendUpdate(job, 'IN_PROGRESS', '{"step":"applying"}');
  }

  private onUpdated(job: { updateTopic: string; version: number | undefined }): void {
    const c = this.fleet.counters;
    c.jobUpdates++;
    c.lastAnswerAt = nowMs();
    if (this.phase === 'running') {
      this.phase = 'finishing';
      return this.sendUpdate(job, 'SUCCEEDED', '{"ledColor":"green"}');
    }
    c.executions++;
    this.job = undefined;
    this.askNext();
  }

  private sendUpdate(job: { updateTopic: string; version: number | undefined }, status: string, details: string): void {
    const expected = job.version === undefined ? '' : `,"expectedVersion":${job.version}`;
    if (job.version !== undefined) job.version++;
    this.client.publish(job.updateTopic, `{"status":"${status}","statusDetails":${details}${expected},"clientToken":"${++this.tokens}"}`, { qos: 1 });
  }
}

export class LeanFleet {
  readonly counters: LeanCounters = { jobUpdates: 0, executions: 0, idleAnswers: 0, shadowUpdates: 0, rejected: 0, messages: 0, lastAnswerAt: Number.NaN };
  readonly releases = new ReleaseLog();
  /** Run an execution as soon as notify-next names one; off, the things only note notifications. */
  follow = false;
  private readonly things: LeanThing[] = [];

  private constructor() {}

  /** Connects every thing (as many handshakes in flight as a fleet worker allows); all or nothing. */
  static async connect(url: string, identities: readonly BenchIdentity[]): Promise<LeanFleet> {
    const fleet = new LeanFleet();
    let next = 0;
    let failed = false;
    const connectSome = async (): Promise<void> => {
      try {
        for (let id = identities[next++]; id !== undefined && !failed; id = identities[next++]) fleet.things.push(await fleet.connectOne(url, id));
      } catch (e) {
        failed = true;
        throw e;
      }
    };
    // allSettled: a failure stops the other lanes, and every client opened so far is closed.
    const lanes = await Promise.allSettled(Array.from({ length: Math.min(DEFAULT_CONNECTS_IN_FLIGHT, identities.length) }, connectSome));
    const failure = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failure) {
      await fleet.close();
      throw failure.reason instanceof Error ? failure.reason : new Error(String(failure.reason));
    }
    return fleet;
  }

  get size(): number {
    return this.things.length;
  }

  /** Every thing asks for its next execution now, and keeps going until none is left. */
  runJobs(): void {
    this.follow = true;
    for (const t of this.things) t.askNext();
  }

  /** Every thing sends `times` reported updates, each after the previous one was accepted. */
  updateShadows(times: number): void {
    for (const t of this.things) t.updateShadow(times);
  }

  /** Waits until no message has reached any thing for `quietMs`, so a phase starts on an idle cloud. */
  async settle(quietMs = 500, timeoutMs = 30_000): Promise<void> {
    const until = nowMs() + timeoutMs;
    let last = this.counters.messages;
    let since = nowMs();
    while (nowMs() - since < quietMs && nowMs() < until) {
      await sleep(50);
      if (this.counters.messages !== last) {
        last = this.counters.messages;
        since = nowMs();
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.things.map((t) => t.end()));
    this.things.length = 0;
  }

  private async connectOne(url: string, id: BenchIdentity): Promise<LeanThing> {
    const client = await mqtt.connectAsync(url, {
      clientId: id.thingName,
      username: id.thingName,
      password: id.password,
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: 0,
      keepalive: 60,
      connectTimeout: 30_000,
    });
    const thing = new LeanThing(id.thingName, client, this);
    try {
      const granted = await client.subscribeAsync(thing.subscriptions(), { qos: 1 });
      const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
      if (refused.length > 0) throw new Error(`${id.thingName}: the broker refused ${refused.join(', ')}`);
    } catch (e) {
      await thing.end();
      throw e;
    }
    return thing;
  }
}
