import type { MqttClient } from 'mqtt';
import { EmbeddedBroker } from '../broker/embedded.js';
import type { FleetConfig } from '../config/schema.js';
import type { Logger } from '../core/log.js';
import { epochSeconds, type Clock, type ClockEpoch } from '../core/clock.js';
import { dirname, join, resolve } from 'node:path';
import { EventSettings } from './event-configurations.js';
import { FaultSettings } from './fault-settings.js';
import { FileHost } from './jobs/file-host.js';
import { jobAsTemplateSource, jobIdOfArn, JobTemplates } from './jobs/job-templates.js';
import { JobsService } from './jobs/service.js';
import { FLEET_THING_TYPE, fleetThingRecords } from './registry/fleet-things.js';
import { Registry } from './registry/registry.js';
import { PresenceTracker } from './registry/presence-tracker.js';
import { FleetView } from './fleet-view.js';
import type { JobExecution } from './jobs/executions.js';
import { connectService, type ServiceBrokerLink } from './service-client.js';
import { ShadowService } from './shadow/service.js';
import { ShadowStore } from './shadow/store.js';
import { openStore, WriteBatcher, type Db } from './store/sqlite.js';

export interface CloudOptions {
  config: FleetConfig;
  /** SQLite path or ':memory:'. */
  statePath: string;
  clock: Clock;
  clockEpoch: ClockEpoch;
  deviceSecret: string;
  /** For an external broker: the cloud services' login. */
  serviceCredentials?: { username: string; password: string } | undefined;
  /** For the embedded broker: the operator login, required beyond loopback. */
  operator?: { username: string; password: string } | undefined;
  log: Logger;
}

/**
 * The local AWS IoT: the embedded broker (unless an external one is configured), the state
 * store, and the cloud services as MQTT clients of the broker.
 */
export class CloudRuntime {
  private constructor(
    readonly config: FleetConfig,
    readonly clock: Clock,
    readonly clockEpoch: ClockEpoch,
    readonly broker: EmbeddedBroker | undefined,
    readonly mqttUrl: string,
    readonly shadow: ShadowService,
    readonly shadowStore: ShadowStore,
    readonly presence: PresenceTracker,
    readonly registry: Registry,
    readonly jobs: JobsService,
    readonly templates: JobTemplates,
    /** The local S3 stand-in: the files directory and the presigned URLs into it. */
    readonly files: FileHost,
    readonly events: EventSettings,
    /** What the fleet processes should inject (issue 6 §2); they poll it over HTTP. */
    readonly faults: FaultSettings,
    /** The fleet as the dashboard shows it, from what an operator hears on the broker. */
    readonly view: FleetView,
    private readonly db: Db,
    private readonly batcher: WriteBatcher,
    private readonly clients: MqttClient[],
    private readonly log: Logger,
  ) {}

  static async start(o: CloudOptions): Promise<CloudRuntime> {
    const { config, log } = o;
    const db = openStore(o.statePath);
    const batcher = new WriteBatcher(db);
    // The registry is the broker's directory of devices; fleet.yaml's things are registered on start.
    const registry = new Registry(db, { region: config.region, account: config.account });
    const events = new EventSettings(db, config.events, epochSeconds(o.clock));
    const faults = new FaultSettings(db, config);
    const scope = { region: config.region, account: config.account };
    // The local S3: documentSource URLs read from it and presigned URLs serve it.
    const filesDir = filesDirectory(config, o.statePath);
    const fileHost = new FileHost({ directory: filesDir, db, clock: o.clock, baseUrl: httpBaseUrl(config) });
    const templates: JobTemplates = new JobTemplates({
      db,
      batcher,
      scope,
      clock: o.clock,
      // Only called from requests, by which time `jobs` exists.
      jobByArn: (arn) => {
        const job = jobs.store.job(jobIdOfArn(arn) ?? '');
        return job ? jobAsTemplateSource(job) : undefined;
      },
      documentSource: { bucketsDir: filesDir },
    });
    // Before the fleet sync: a device added to fleet.yaml joins its group there, and a CONTINUOUS
    // job targeting that group must queue its execution.
    const jobs: JobsService = new JobsService({
      db,
      batcher,
      registry,
      events,
      scope,
      clock: o.clock,
      log: log.child({ component: 'jobs' }),
      options: { bucketsDir: filesDir },
      templates,
      fileHost,
    });
    const synced = registry.syncFleet(fleetThingRecords(config, (name) => registry.isRegistered(name)), FLEET_THING_TYPE, epochSeconds(o.clock));
    if (!synced.ok) {
      jobs.close();
      db.close();
      throw new Error(`cannot register the fleet's things: ${synced.error.message}`);
    }

    let broker: EmbeddedBroker | undefined;
    let link: ServiceBrokerLink;
    let mqttUrl: string;
    const clients: MqttClient[] = [];
    const services: { close(): void }[] = [jobs];
    try {
      if (config.broker.type === 'embedded') {
        broker = await EmbeddedBroker.start({
          host: config.broker.host,
          port: config.broker.port,
          directory: registry,
          deviceSecret: o.deviceSecret,
          operator: o.operator,
          clock: o.clock,
          log: log.child({ component: 'broker' }),
        });
        link = { kind: 'embedded', broker };
        mqttUrl = broker.url;
      } else {
        link = { kind: 'external', url: config.broker.url, username: o.serviceCredentials?.username, password: o.serviceCredentials?.password };
        mqttUrl = config.broker.url;
      }
      const shadowStore = new ShadowStore(db, batcher);
      const shadow = new ShadowService(shadowStore, o.clock, log.child({ component: 'shadow' }), config.shadow);
      const shadowClient = await connectService(link, 'acfleet-cloud-shadow');
      clients.push(shadowClient);
      await shadow.attach(shadowClient);
      const jobsClient = await connectService(link, 'acfleet-cloud-jobs');
      clients.push(jobsClient);
      await jobs.attach(jobsClient);
      const presence = new PresenceTracker();
      const presenceClient = await connectService(link, 'acfleet-cloud-presence');
      clients.push(presenceClient);
      await presence.attach(presenceClient);
      const view = new FleetView(config, o.clock);
      services.push(view);
      const newestExecution = (thing: string): JobExecution | undefined => jobs.store.executionsOf(thing).at(-1);
      view.seed({ reported: (thing) => shadowStore.get(thing, '').doc?.state.reported, newestExecution, online: (thing) => presence.isOnline(thing) });
      jobs.observeExecutions({
        executionChanged: (previous, next) => {
          const thing = next?.thingName ?? previous?.thingName;
          if (thing) view.executionChanged(thing, newestExecution(thing));
        },
      });
      const viewClient = await connectService(link, 'acfleet-cloud-view');
      clients.push(viewClient);
      await view.attach(viewClient);
      return new CloudRuntime(config, o.clock, o.clockEpoch, broker, mqttUrl, shadow, shadowStore, presence, registry, jobs, templates, fileHost, events, faults, view, db, batcher, clients, log);
    } catch (e) {
      for (const s of services) s.close();
      for (const c of clients) c.end(true);
      await broker?.close();
      db.close();
      throw e;
    }
  }

  get thingCount(): number {
    return this.registry.thingCount;
  }

  /** Publishes through a service connection (used by HTTP Publish, after its own operator check). */
  publishAsOperator(topic: string, payload: Buffer, qos: 0 | 1, retain: boolean): Promise<void> {
    const client = this.clients[0];
    if (!client) return Promise.reject(new Error('the cloud is not connected to its broker'));
    return client.publishAsync(topic, payload, { qos, retain }).then(() => undefined);
  }

  /** Onlineness from the embedded broker when there is one; otherwise from presence events. */
  get onlineDevices(): number {
    return this.broker ? this.broker.connectedDevices : this.presence.online;
  }

  /** Disconnects the services, flushes and closes the store, then stops the broker. */
  async close(): Promise<void> {
    this.jobs.close();
    this.view.close();
    await Promise.all(this.clients.map((c) => c.endAsync().catch(() => undefined)));
    // The services are gone, so nothing writes any more: make the store durable before the broker
    // (and whatever it may throw while dropping thousands of clients) goes down.
    this.batcher.flush();
    this.db.close();
    await this.broker?.close();
    this.log.debug('cloud stopped');
  }
}

/** fleet.yaml's `files.directory` (relative to the working directory), else `<state dir>/s3` (`.acfleet/s3` for an in-memory store). */
export function filesDirectory(config: FleetConfig, statePath: string): string {
  if (config.files.directory !== undefined) return resolve(config.files.directory);
  return statePath === ':memory:' ? join(process.cwd(), '.acfleet', 's3') : join(dirname(statePath), 's3');
}

/** The HTTP API's URL as configured; the server replaces it with the bound one (port 0) once it listens. */
function httpBaseUrl(config: FleetConfig): string {
  const { host, port } = config.http;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}
