/**
 * What the dashboard shows of the fleet (issue 7): each device's LED, temperature and unit,
 * and whether it is online, kept from what an operator can hear on the broker (shadow reports,
 * telemetry, presence events), so it works with an external broker too. Changes are collected
 * and handed to listeners in batches, a few times a second of wall time, however busy the fleet.
 */
import type { MqttClient } from 'mqtt';
import type { FleetConfig } from '../config/schema.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { CityView, DeviceView, ExecutionStatusName } from '../api/dashboard-types.js';
import { HeardPresence } from './heard-presence.js';
import { fleetThings } from './registry/fleet-things.js';
import { TelemetryHistory } from './telemetry-history.js';

export type { DeviceView } from '../api/dashboard-types.js';

/** Wall milliseconds between batches. */
export const BATCH_WALL_MS = 250;

/** update/documents, not update/accepted: it is published for HTTP updates too, and holds the whole state. */
const SHADOW_DOCUMENTS = /^\$aws\/things\/([^/]+)\/shadow\/update\/documents$/;
const PRESENCE = /^\$aws\/events\/presence\/(connected|disconnected)\/([^/]+)$/;

export class FleetView {
  private readonly devices = new Map<string, DeviceView>();
  private readonly dirty = new Set<string>();
  private readonly listeners = new Set<(changes: DeviceView[]) => void>();
  private readonly telemetryFilter: string;
  private timer: TimerHandle | undefined;
  /** Without presence events (an external broker), a device is online while its telemetry keeps coming. */
  private readonly heard: HeardPresence;
  private readonly sweep: TimerHandle;
  /** The fleet.yaml groups' places, for the map. */
  readonly cities: CityView[];
  /** Each device's recent readings, for the device page's sparkline. */
  readonly history: TelemetryHistory;

  constructor(
    config: FleetConfig,
    private readonly clock: Clock,
    history: TelemetryHistory = new TelemetryHistory(),
  ) {
    this.history = history;
    this.cities = config.groups.map((g) => ({ group: g.name, city: g.location.city, country: g.location.country, lat: g.location.lat, lon: g.location.lon }));
    const cityOf = new Map(config.groups.map((g) => [g.name, g.location.city]));
    for (const t of fleetThings(config)) this.devices.set(t.thingName, { thing: t.thingName, group: t.groupName, city: cityOf.get(t.groupName) ?? t.groupName, online: false });
    this.telemetryFilter = config.telemetry.topic.replaceAll('{thingName}', '+').replaceAll('{location}', '+');
    // Three missed readings: one late message must not flicker a device offline.
    const interval = config.telemetry.interval;
    this.heard = new HeardPresence(3 * interval);
    this.sweep = clock.setInterval(() => this.markSilentOffline(), interval);
  }

  async attach(client: MqttClient): Promise<void> {
    client.on('message', (topic, payload) => this.handle(topic, payload));
    await client.subscribeAsync(['$aws/things/+/shadow/update/documents', '$aws/events/presence/+/+', this.telemetryFilter], { qos: 0 });
  }

  /**
   * What the cloud already knows when the view starts (a restarted cloud, devices already online):
   * reported LED and unit from stored shadows, each thing's newest execution, presence.
   */
  seed(known: { reported(thing: string): Record<string, unknown> | undefined; newestExecution(thing: string): ExecutionSummary | undefined; online(thing: string): boolean }): void {
    for (const d of this.devices.values()) {
      const reported = known.reported(d.thing);
      if (typeof reported?.ledColor === 'string') d.led = reported.ledColor;
      if (typeof reported?.tempUnit === 'string') d.tempUnit = reported.tempUnit;
      const job = known.newestExecution(d.thing);
      if (job) d.job = { jobId: job.jobId, status: job.status };
      d.online = known.online(d.thing);
    }
  }

  /** A thing's executions changed: it now shows `newest` (undefined once none is left). */
  executionChanged(thing: string, newest: ExecutionSummary | undefined): void {
    const d = this.devices.get(thing);
    if (d?.job?.jobId === newest?.jobId && d?.job?.status === newest?.status) return;
    this.change(thing, { job: newest && { jobId: newest.jobId, status: newest.status } });
  }

  /** One device as it stands now; undefined for a thing never configured nor heard. */
  get(thing: string): DeviceView | undefined {
    const d = this.devices.get(thing);
    return d && { ...d };
  }

  /** Every device as it stands now, in fleet order (API-made things after). */
  snapshot(): DeviceView[] {
    return [...this.devices.values()].map((d) => ({ ...d }));
  }

  /** Listens to batches of changed devices; returns the way to stop. */
  onChanges(listener: (changes: DeviceView[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.clock.clearInterval(this.sweep);
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  handle(topic: string, payload: Buffer): void {
    const shadow = SHADOW_DOCUMENTS.exec(topic);
    if (shadow?.[1]) return this.onShadow(shadow[1], payload);
    const presence = PRESENCE.exec(topic);
    if (presence?.[2]) {
      this.heard.presenceEvent();
      return this.change(presence[2], { online: presence[1] === 'connected' });
    }
    if (topic.startsWith('$')) return;
    this.onTelemetry(payload);
  }

  private onShadow(thing: string, payload: Buffer): void {
    const current = parse(payload)?.current as { state?: { reported?: Record<string, unknown> } } | undefined;
    const reported = current?.state?.reported;
    if (!reported || typeof reported !== 'object') return;
    const patch: Partial<DeviceView> = {};
    if (typeof reported.ledColor === 'string') patch.led = reported.ledColor;
    if (typeof reported.tempUnit === 'string') {
      patch.tempUnit = reported.tempUnit;
      // The last reading was in the old unit: shown as is, 72 °F would read "72 °C" until the next telemetry.
      const temp = this.devices.get(thing)?.temp;
      const was = this.devices.get(thing)?.tempUnit;
      if (temp !== undefined && was !== reported.tempUnit) patch.temp = convertTemp(temp, was, reported.tempUnit);
    }
    this.heardFrom(thing, patch);
    if (Object.keys(patch).length > 0) this.change(thing, patch);
  }

  private onTelemetry(payload: Buffer): void {
    const m = parse(payload);
    if (!m || typeof m.thingName !== 'string' || typeof m.temp !== 'number') return;
    const patch: Partial<DeviceView> = { temp: m.temp };
    if (typeof m.humid === 'number') patch.humid = m.humid;
    if (typeof m.tempUnit === 'string') patch.tempUnit = m.tempUnit;
    // The device's own simulated timestamp when it sent one, else when the cloud heard it.
    const atSec = typeof m.timestamp === 'number' ? m.timestamp : this.clock.now() / 1000;
    this.history.record(m.thingName, { atSec, temp: m.temp, humid: patch.humid, tempUnit: patch.tempUnit });
    this.heardFrom(m.thingName, patch);
    this.change(m.thingName, patch);
  }

  private heardFrom(thing: string, patch: Partial<DeviceView>): void {
    if (!this.heard.active) return;
    this.heard.heard(thing, this.clock.now());
    if (this.devices.get(thing)?.online !== true) patch.online = true;
  }

  private markSilentOffline(): void {
    if (!this.heard.active) return;
    for (const thing of this.heard.silent(this.clock.now())) this.change(thing, { online: false });
  }

  private change(thing: string, patch: Partial<DeviceView>): void {
    const d = this.devices.get(thing);
    if (d) Object.assign(d, patch);
    else this.devices.set(thing, { thing, online: false, ...patch });
    this.dirty.add(thing);
    // One batch per interval: a fleet-wide burst becomes one message per browser, not thousands.
    this.timer ??= this.clock.setTimeout(() => this.flush(), BATCH_WALL_MS * this.clock.speed);
  }

  private flush(): void {
    this.timer = undefined;
    if (this.dirty.size === 0) return;
    const changes: DeviceView[] = [];
    for (const thing of this.dirty) {
      const d = this.devices.get(thing);
      if (d) changes.push({ ...d });
    }
    this.dirty.clear();
    for (const l of this.listeners) l(changes);
  }
}

export interface ExecutionSummary {
  jobId: string;
  status: ExecutionStatusName;
}

/** °F ↔ °C (the device's own formula, 1.8·t + 32), rounded as telemetry is; unknown units unchanged. */
function convertTemp(temp: number, from: string | undefined, to: string): number {
  if (from === 'fahrenheit' && to === 'celsius') return Math.round(((temp - 32) / 1.8) * 100) / 100;
  if (from === 'celsius' && to === 'fahrenheit') return Math.round((temp * 1.8 + 32) * 100) / 100;
  return temp;
}

function parse(payload: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(payload.toString());
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
