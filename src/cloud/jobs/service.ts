import type { MqttClient } from 'mqtt';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { EventSettings } from '../event-configurations.js';
import type { ArnScope } from '../registry/arns.js';
import type { Registry } from '../registry/registry.js';
import { TargetResolver } from '../registry/target-resolver.js';
import type { Db, WriteBatcher } from '../store/sqlite.js';
import { ContinuousTargets } from './continuous-targets.js';
import { JobsControlPlane, type JobsControlPlaneOptions } from './control-plane.js';
import { JobsDeviceApi } from './device-api.js';
import { JobExecutionAdmin } from './execution-admin.js';
import { ExecutionLedger, type ExecutionObserver, type JobsOutbox } from './execution-ledger.js';
import { ExecutionOutcomes } from './execution-outcomes.js';
import { ExecutionTimeouts } from './execution-timeouts.js';
import type { FileHost } from './file-host.js';
import { JobStore } from './job-store.js';
import type { JobTemplates } from './job-templates.js';
import { JOBS_REQUEST_FILTERS, JobsMqttEndpoint } from './mqtt-endpoint.js';
import { PendingTargets } from './pending-targets.js';
import { RolloutEngine } from './rollout-engine.js';
import { resolveJobTargets } from './control-plane.js';

export interface JobsServiceDeps {
  db: Db;
  batcher: WriteBatcher;
  registry: Registry;
  events: EventSettings;
  scope: ArnScope;
  clock: Clock;
  log: Logger;
  options?: JobsControlPlaneOptions;
  /** Job templates (custom and AWS managed) that CreateJob's `jobTemplateArn` names. */
  templates?: JobTemplates;
  /** Serves the objects that presigned URLs in job documents point at. */
  fileHost?: FileHost;
}

export interface JobsCounters {
  requests: number;
  accepted: number;
  rejected: number;
}

/**
 * The local AWS IoT Jobs service: the device API over MQTT (and HTTPS through `device`), the
 * control plane (`control`, `executions`), and CONTINUOUS jobs following group membership.
 */
export class JobsService {
  readonly counters: JobsCounters = { requests: 0, accepted: 0, rejected: 0 };
  readonly store: JobStore;
  readonly device: JobsDeviceApi;
  readonly control: JobsControlPlane;
  readonly executions: JobExecutionAdmin;
  readonly rollout: RolloutEngine;
  readonly timeouts: ExecutionTimeouts;
  readonly templates: JobTemplates | undefined;
  readonly fileHost: FileHost | undefined;
  private readonly ledger: ExecutionLedger;
  private readonly endpoint: JobsMqttEndpoint;
  private readonly stopFollowing: () => void;
  private client: MqttClient | undefined;
  private readonly log: Logger;

  constructor(d: JobsServiceDeps) {
    this.log = d.log;
    this.templates = d.templates;
    this.fileHost = d.fileHost;
    this.store = new JobStore(d.db, d.batcher);
    const outbox: JobsOutbox = { publish: (topic, body) => this.publish(topic, body) };
    this.ledger = new ExecutionLedger(this.store, outbox, d.events, d.scope, d.clock, d.log);
    const resolver = new TargetResolver(d.db);
    const pending = new PendingTargets(d.db, d.batcher);
    this.rollout = new RolloutEngine({
      ledger: this.ledger,
      pending,
      targets: resolver,
      clock: d.clock,
      isRegistered: (thing) => d.registry.isRegistered(thing),
      resolveTargets: (targets) => resolveJobTargets(d.registry, resolver, targets),
    });
    this.ledger.holdOpenWhile((jobId) => pending.count(jobId) > 0);
    this.timeouts = new ExecutionTimeouts(this.ledger, d.clock);
    this.ledger.observe(this.timeouts);
    const outcomes = new ExecutionOutcomes(this.ledger, pending, (jobId) => this.rollout.poke(jobId));
    this.ledger.observe(outcomes);
    this.ledger.retryWith((failed) => outcomes.retryOf(failed));
    this.device = new JobsDeviceApi(this.ledger);
    if (d.fileHost) this.ledger.presignWith(d.fileHost);
    this.control = new JobsControlPlane(this.ledger, this.rollout, pending, d.registry, resolver, d.scope, d.clock, { ...d.options, templates: d.templates });
    this.executions = new JobExecutionAdmin(this.ledger, d.scope);
    this.endpoint = new JobsMqttEndpoint(this.device, this.ledger);
    const continuous = new ContinuousTargets(this.ledger, resolver, () => this.control.activeContinuousJobs());
    this.stopFollowing = d.registry.onMembershipChange((change) => continuous.onChange(change));
    this.rollout.resumeAll();
  }

  /** Serves the device API on the broker the client is connected to. */
  async attach(client: MqttClient): Promise<void> {
    this.client = client;
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    await client.subscribeAsync(JOBS_REQUEST_FILTERS, { qos: 1 });
  }

  /** Hears every execution change, whatever made it (device, API, timeout, rollout, abort). */
  observeExecutions(observer: ExecutionObserver): void {
    this.ledger.observe(observer);
  }

  close(): void {
    this.stopFollowing();
    this.rollout.close();
    this.timeouts.close();
  }

  private onMessage(topic: string, payload: Buffer): void {
    const reply = this.endpoint.handle(topic, payload);
    if (!reply) return;
    this.counters.requests++;
    if (reply.error) {
      this.counters.rejected++;
      this.log.debug({ topic, code: reply.error.code, message: reply.error.message }, 'jobs request rejected');
    } else {
      this.counters.accepted++;
    }
    this.publish(reply.topic, reply.body);
  }

  private publish(topic: string, body: object): void {
    if (!this.client) return;
    this.client.publish(topic, JSON.stringify(body), { qos: 1 }, (e) => {
      if (e) this.log.warn({ topic, err: e.message }, 'could not publish a jobs message');
    });
  }
}
