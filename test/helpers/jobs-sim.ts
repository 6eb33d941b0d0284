/**
 * A jobs service on a FakeClock, for unit tests of rollouts: an in-memory store, a registry with
 * numbered things in groups, and devices played through a FakeBroker. Nothing here waits on real
 * time: `clock.advance` runs hours of rollout in milliseconds.
 */
import { EventSettings } from '../../src/cloud/event-configurations.js';
import type { JobExecution } from '../../src/cloud/jobs/executions.js';
import { JobsService } from '../../src/cloud/jobs/service.js';
import { Registry } from '../../src/cloud/registry/registry.js';
import { openStore, WriteBatcher, type Db } from '../../src/cloud/store/sqlite.js';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { FakeBroker, type Sent } from './fake-service-broker.js';

export const SCOPE = { region: 'us-east-1', account: '123456789012' };
export const SIM_START = Date.UTC(2026, 10, 23, 12);
export const MINUTE = 60_000;
export const groupArn = (g: string): string => `arn:aws:iot:us-east-1:123456789012:thinggroup/${g}`;
export const thingArn = (t: string): string => `arn:aws:iot:us-east-1:123456789012:thing/${t}`;
export const WORKSHOP_DOC = JSON.stringify({ tempUnit: 'celsius', ledColor: 'green' });

export function value<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
}

/** `{SaoPaulo: 3}` → things SaoPaulo-1…SaoPaulo-3 in group SaoPaulo. */
export type FleetShape = Record<string, number>;

export const thingOf = (group: string, i: number): string => `${group}-${i}`;

export class JobsSim {
  jobs!: JobsService;
  broker!: FakeBroker;
  batcher!: WriteBatcher;

  private constructor(
    readonly db: Db,
    readonly clock: FakeClock,
    readonly registry: Registry,
  ) {}

  static async start(fleet: FleetShape, o: { db?: Db; clock?: FakeClock } = {}): Promise<JobsSim> {
    const db = o.db ?? openStore(':memory:');
    const clock = o.clock ?? new FakeClock(SIM_START);
    const registry = new Registry(db, SCOPE);
    const sim = new JobsSim(db, clock, registry);
    if (!o.db) {
      for (const [group, n] of Object.entries(fleet)) {
        value(registry.createThingGroup(group, {}, clock.now() / 1000));
        for (let i = 1; i <= n; i++) {
          value(registry.createThing(thingOf(group, i), {}, clock.now() / 1000));
          value(registry.addThingToThingGroup(group, thingOf(group, i)));
        }
      }
    }
    await sim.boot();
    return sim;
  }

  /** Stops the service and starts a new one on the same store: what a cloud restart does. */
  async restart(): Promise<void> {
    this.batcher.flush();
    this.jobs.close();
    await this.boot();
  }

  async create(jobId: string, body: Record<string, unknown>): Promise<void> {
    value(await this.jobs.control.createJob(jobId, { document: WORKSHOP_DOC, ...body }));
  }

  describe(jobId: string): Record<string, unknown> {
    return value(this.jobs.control.describeJob(jobId)).job;
  }

  details(jobId: string): Record<string, number | string[]> {
    return this.describe(jobId).jobProcessDetails as Record<string, number | string[]>;
  }

  /** The device asks for its next job; returns the accepted body's execution, if any. */
  startNext(thing: string, body: Record<string, unknown> = {}): Record<string, unknown> | undefined {
    const reply = this.broker.request(`$aws/things/${thing}/jobs/start-next`, body);
    if (!reply.topic.endsWith('/accepted')) throw new Error(`start-next rejected: ${JSON.stringify(reply.body)}`);
    return reply.body.execution as Record<string, unknown> | undefined;
  }

  update(thing: string, jobId: string, body: Record<string, unknown>): Sent {
    return this.broker.request(`$aws/things/${thing}/jobs/${jobId}/update`, body);
  }

  /** start-next, then report `status`: one device running its next job to an outcome. */
  run(thing: string, status: 'SUCCEEDED' | 'FAILED' | 'REJECTED'): string | undefined {
    const e = this.startNext(thing);
    if (!e) return undefined;
    const jobId = e.jobId as string;
    const reply = this.update(thing, jobId, { status });
    if (!reply.topic.endsWith('/accepted')) throw new Error(`update rejected: ${JSON.stringify(reply.body)}`);
    return jobId;
  }

  exec(jobId: string, thing: string, n?: number): JobExecution | undefined {
    return this.jobs.store.find(jobId, thing, n);
  }

  /** Every execution of the job, retries included. */
  executions(jobId: string): JobExecution[] {
    const out: JobExecution[] = [];
    for (const latest of this.jobs.store.latestOfJob(jobId)) out.push(...this.jobs.store.executionsOfJobOnThing(jobId, latest.thingName));
    return out;
  }

  /** Things given a first execution, in release order: what the rollout has notified. */
  released(jobId: string): JobExecution[] {
    return this.executions(jobId).filter((e) => e.executionNumber === 1);
  }

  events(kind: string): Sent[] {
    return this.broker.sent.filter((s) => s.topic.startsWith('$aws/events/') && s.topic.endsWith(`/${kind}`));
  }

  private async boot(): Promise<void> {
    this.batcher = new WriteBatcher(this.db);
    const events = new EventSettings(this.db, { job: true, jobExecution: true }, this.clock.now() / 1000);
    this.jobs = new JobsService({ db: this.db, batcher: this.batcher, registry: this.registry, events, scope: SCOPE, clock: this.clock, log: silentLogger(), options: { waiveScheduleMinimumLead: true } });
    this.broker = new FakeBroker();
    await this.jobs.attach(this.broker.client);
  }
}
