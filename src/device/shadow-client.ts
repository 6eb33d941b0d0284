import type { DeviceContext } from './context.js';
import { isRecord, parseObject, type JsonRecord } from './json.js';
import { applyDesired, restoreReported, type ReportedState, type Settings } from './settings.js';
import { storageReport, type DeviceStorage } from './storage.js';

/** What a firmware job may install (as firmware-update.ts checks it). */
const FIRMWARE_VERSION = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,31}$/;

/** Part of the reported state: settings, firmwareVersion, and the storage keys (null deletes one). */
export type ShadowReport = Partial<ReportedState> & Readonly<Record<string, unknown>>;

/** What the shadow client needs of its device. */
export interface ShadowHost {
  readonly thingName: string;
  readonly ctx: DeviceContext;
  settings: Settings;
  firmwareVersion: string;
  readonly storage: DeviceStorage | undefined;
  publish(topic: string, payload: string, qos?: 0 | 1): void;
}

/**
 * The device's side of its classic shadow, over the exact AWS topics: get on connect, report
 * the full state, apply desired changes from update/delta and report them back.
 */
export class ShadowClient {
  /** `$aws/things/{thing}/shadow`. */
  readonly prefix: string;
  /** The shadow version of the newest delta applied; older deltas arriving late are ignored. */
  private deltaVersion = 0;
  /** Reported values are restored once per process lifetime, from the first shadow read. */
  private restored = false;

  constructor(private readonly host: ShadowHost) {
    this.prefix = `$aws/things/${host.thingName}/shadow`;
  }

  /** What to subscribe to on every connect; the thermostat subscribes once for shadow and jobs. */
  subscriptions(): string[] {
    const p = this.prefix;
    return [`${p}/get/+`, `${p}/update/delta`, `${p}/update/rejected`];
  }

  /** Subscribed (again, after any reconnect): resynchronise with a get. */
  onSubscribed(granted: readonly boolean[]): void {
    if (granted.includes(false)) {
      this.host.ctx.counters.errors++;
      this.host.ctx.log.warn({ thing: this.host.thingName }, 'broker refused a shadow subscription');
    }
    this.host.publish(`${this.prefix}/get`, '{}', 1);
  }

  onMessage(topic: string, payload: Buffer): void {
    if (!topic.startsWith(this.prefix)) return;
    const suffix = topic.slice(this.prefix.length);
    const doc = parseObject(payload);
    if (!doc) {
      this.host.ctx.counters.errors++;
      this.host.ctx.log.warn({ thing: this.host.thingName, topic }, 'ignored a shadow message that is not a JSON object');
      return;
    }
    switch (suffix) {
      case '/get/accepted':
        return this.onDocument(doc);
      case '/get/rejected':
        // 404: no shadow yet. Reporting creates it, which completes the sync too.
        if (doc.code === 404) {
          this.host.ctx.counters.shadowSyncs++;
          this.restored = true;
        } else {
          this.logRejected('get', doc);
        }
        return this.report(this.reportedState());
      case '/update/delta':
        return this.onDelta(doc);
      case '/update/rejected':
        return this.logRejected('update', doc);
      default:
    }
  }

  private onDocument(doc: JsonRecord): void {
    this.host.ctx.counters.shadowSyncs++;
    const state = isRecord(doc.state) ? doc.state : {};
    if (!this.restored && isRecord(state.reported)) {
      this.host.settings = restoreReported(this.host.settings, state.reported);
      // A firmware job installed it before the fleet restarted: the device still runs it.
      const firmware = state.reported.firmwareVersion;
      if (typeof firmware === 'string' && FIRMWARE_VERSION.test(firmware)) this.host.firmwareVersion = firmware;
    }
    this.restored = true;
    if (typeof doc.version === 'number') this.deltaVersion = Math.max(this.deltaVersion, doc.version);
    if (isRecord(state.delta)) this.applyDelta(state.delta);
    this.report(this.reportedState());
  }

  private onDelta(doc: JsonRecord): void {
    const version = typeof doc.version === 'number' ? doc.version : 0;
    if (version !== 0 && version < this.deltaVersion) return;
    this.deltaVersion = version;
    if (!isRecord(doc.state)) return;
    const applied = this.applyDelta(doc.state);
    if (Object.keys(applied).length > 0) this.report(applied);
  }

  private applyDelta(delta: JsonRecord): Partial<Settings> {
    const outcome = applyDesired(this.host.settings, delta);
    this.host.settings = outcome.settings;
    const counters = this.host.ctx.counters;
    const appliedCount = Object.keys(outcome.applied).length;
    counters.desiredApplied += appliedCount;
    if (outcome.refused.length > 0) {
      counters.desiredRefused += outcome.refused.length;
      this.host.ctx.log.warn({ thing: this.host.thingName, refused: outcome.refused }, 'desired state left in the delta: the thermostat cannot apply it');
    }
    return outcome.applied;
  }

  private reportedState(): ShadowReport {
    return { ...this.host.settings, firmwareVersion: this.host.firmwareVersion, ...storageReport(this.host.storage) };
  }

  /** Reports part of the device's state; what is left out keeps its reported value. */
  report(reported: ShadowReport): void {
    this.host.publish(`${this.prefix}/update`, JSON.stringify({ state: { reported } }), 1);
  }

  private logRejected(op: string, doc: JsonRecord): void {
    this.host.ctx.counters.errors++;
    this.host.ctx.log.warn({ thing: this.host.thingName, code: doc.code, message: doc.message }, `shadow ${op} rejected`);
  }
}
