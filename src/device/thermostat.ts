import { epochSeconds } from '../core/clock.js';
import { devicePassword } from '../core/device-password.js';
import { hashInts, unit } from '../core/random.js';
import type { ConnectionHandler, DeviceConnection, QoS } from '../transport/connection.js';
import { DEFAULT_BOOT_MS, type DeviceContext, type GroupRuntime, type TimerEntry, type TimerTarget } from './context.js';
import { JobAgent } from './job-agent.js';
import { DeviceState, backoffDelay } from './lifecycle.js';
import { DelayedPublishes } from './publish-latency.js';
import type { Settings } from './settings.js';
import { ShadowClient } from './shadow-client.js';
import type { DeviceStorage } from './storage.js';
import { displayTemperature, telemetryPayload, telemetryTopic } from './telemetry.js';
import { initialThermalState, sensorReading, stepThermal, type ThermalState } from './thermal.js';

/** Connection refusals already reported by this worker: one warning per reason, not one per device. */
const reportedRefusals = new Set<string>();

const TIMER_TELEMETRY = 1;
const TIMER_RECONNECT = 2;
/** An injected `offline: drops` fault takes the device off the network. */
const TIMER_DROP = 3;

export interface ThermostatSpec {
  thingName: string;
  /** Seeds this device's noise and telemetry phase; a pure function of (seed, group, index). */
  deviceSeed: number;
  group: GroupRuntime;
  settings: Settings;
  firmwareVersion: string;
}

/** One virtual A/C: its own MQTT client and thing. Kept small: 20,000 of these share a process. */
export class Thermostat implements ConnectionHandler, TimerTarget {
  readonly thingName: string;
  readonly deviceSeed: number;
  readonly group: GroupRuntime;
  settings: Settings;
  /** The settings it was built with: what a factory reset restores. */
  readonly factorySettings: Settings;
  firmwareVersion: string;
  /** Files, packages and services jobs left; undefined until the first such job. */
  storage: DeviceStorage | undefined;
  state: DeviceState = DeviceState.Offline;
  readonly shadow: ShadowClient;
  readonly jobs: JobAgent;
  private thermal: ThermalState;
  private readonly topic: string;
  private readonly conn: DeviceConnection;
  private timer: TimerEntry | undefined;
  private attempts = 0;
  /** Holds one of the gate's handshake slots; released when the handshake ends either way. */
  private handshaking = false;
  private stopped: Promise<void> | undefined;
  /** MQTT publishes so far: injected latency is drawn per publish. */
  private publishes = 0;
  /** Publishes held back by injected latency; only while some are waiting. */
  private delayed: DelayedPublishes | undefined;
  /** Simulated ms of the first connect, which an `offline: drops` fault counts from. */
  private firstOnlineAt: number | undefined;

  constructor(
    spec: ThermostatSpec,
    readonly ctx: DeviceContext,
  ) {
    this.thingName = spec.thingName;
    this.deviceSeed = spec.deviceSeed;
    this.group = spec.group;
    this.settings = spec.settings;
    // Never mutated (settings are replaced whole), so sharing the object is safe.
    this.factorySettings = spec.settings;
    this.firmwareVersion = spec.firmwareVersion;
    this.thermal = initialThermalState(spec.group.site, ctx.clock.now(), spec.deviceSeed);
    this.topic = telemetryTopic(ctx.telemetry.topicTemplate, spec.thingName, spec.group.locationId);
    this.shadow = new ShadowClient(this);
    this.jobs = new JobAgent(this);
    this.conn = ctx.connections.create(
      {
        clientId: spec.thingName,
        username: ctx.deviceSecret === null ? undefined : spec.thingName,
        password: ctx.deviceSecret === null ? undefined : devicePassword(ctx.deviceSecret, spec.thingName),
        keepaliveSec: Math.round(ctx.device.keepaliveMs / 1000),
      },
      this,
    );
  }

  get telemetryTopic(): string {
    return this.topic;
  }

  /** Queues the first connection; the worker's gate paces the handshakes. */
  start(): void {
    if (this.state !== DeviceState.Offline || this.stopped) return;
    if (this.offlineFault()) {
      // Kept off the network by an injected fault; faults can be switched off while the fleet runs, so look again later.
      this.reschedule(this.ctx.clock.now() + this.ctx.device.reconnectMaxMs, TIMER_RECONNECT);
      return;
    }
    this.setState(DeviceState.Connecting);
    this.ctx.gate.request(this);
  }

  /** Whether an injected `offline` fault keeps the device off the network now. */
  private offlineFault(): boolean {
    const fate = this.group.faults.offline(this.thingName);
    if (!fate) return false;
    return fate.kind === 'never' || (this.firstOnlineAt !== undefined && this.ctx.clock.now() >= this.firstOnlineAt + fate.afterMs);
  }

  /** When an injected `offline: drops` fault takes the online device off the network. */
  private dropDue(): number | undefined {
    const fate = this.group.faults.offline(this.thingName);
    return fate?.kind === 'drops' && this.firstOnlineAt !== undefined ? this.firstOnlineAt + fate.afterMs : undefined;
  }

  /**
   * Goes down and comes back after its boot time (a reboot job, or an injected crash). A reboot
   * disconnects cleanly; a crash drops the socket without a word, as a dead process would.
   */
  restart(how: 'reboot' | 'crash'): void {
    if (this.state !== DeviceState.Online) return;
    this.ctx.timers.cancel(this.timer);
    this.timer = undefined;
    this.setState(DeviceState.Restarting);
    void this.conn.close(how === 'crash' ? 'abrupt' : 'clean');
  }

  /** Called by the gate; returns false when the device no longer wants a slot. */
  beginConnect(): boolean {
    if (this.state !== DeviceState.Connecting) return false;
    this.handshaking = true;
    this.conn.open();
    return true;
  }

  private endHandshake(): void {
    if (!this.handshaking) return;
    this.handshaking = false;
    this.ctx.gate.release();
  }

  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  publish(topic: string, payload: string, qos: QoS = 0): void {
    if (this.state !== DeviceState.Online) return;
    const latency = this.group.faults.publishLatencyMs(this.thingName, this.publishes++);
    if (latency <= 0 && !this.delayed) return this.sendNow(topic, payload, qos);
    (this.delayed ??= new DelayedPublishes(this)).push(this.ctx.clock.now() + Math.max(0, latency), topic, payload, qos);
  }

  sendNow(topic: string, payload: string, qos: QoS): void {
    if (this.state !== DeviceState.Online) return;
    this.conn.publish(topic, payload, qos);
    this.ctx.counters.published++;
  }

  publishesDrained(): void {
    this.delayed = undefined;
  }

  subscribe(filters: readonly string[], done: (granted: readonly boolean[]) => void): void {
    this.conn.subscribe(filters, 1, (error, granted) => {
      if (error) {
        this.ctx.counters.errors++;
        this.ctx.log.warn({ thing: this.thingName, err: error.message }, 'subscribe failed');
        return;
      }
      done(granted);
    });
  }

  onConnected(): void {
    this.endHandshake();
    if (this.state === DeviceState.Disconnecting) return;
    this.attempts = 0;
    this.ctx.counters.connects++;
    this.firstOnlineAt ??= this.ctx.clock.now();
    this.setState(DeviceState.Online);
    this.jobs.onConnected();
    const shadowFilters = this.shadow.subscriptions();
    // One SUBSCRIBE for both clients: one round trip per connect, not two (AWS allows 8 filters in one).
    this.subscribe([...shadowFilters, ...this.jobs.subscriptions()], (granted) => {
      this.shadow.onSubscribed(granted.slice(0, shadowFilters.length));
      this.jobs.onSubscribed(granted.slice(shadowFilters.length));
    });
    const interval = this.ctx.telemetry.intervalMs;
    // Spread the fleet's telemetry across the interval instead of publishing in bursts.
    this.scheduleTelemetry(this.ctx.clock.now() + unit(hashInts(this.deviceSeed, 7)) * interval);
  }

  onDisconnected(reason: string | undefined): void {
    this.endHandshake();
    this.jobs.onDisconnected();
    this.delayed?.clear();
    this.delayed = undefined;
    const was = this.state;
    if (was === DeviceState.Restarting && !this.stopped) {
      this.ctx.counters.disconnects++;
      this.setState(DeviceState.Offline);
      this.reschedule(this.ctx.clock.now() + (this.ctx.device.bootMs ?? DEFAULT_BOOT_MS), TIMER_RECONNECT);
      return;
    }
    if (was === DeviceState.Connecting) {
      this.ctx.counters.connectFailures++;
      if (reason && !reportedRefusals.has(reason)) {
        reportedRefusals.add(reason);
        this.ctx.log.warn({ thing: this.thingName, reason }, 'connection refused or failed; devices keep retrying with backoff (further failures with this reason are only counted)');
      }
    } else if (was === DeviceState.Online) {
      this.ctx.counters.disconnects++;
    }
    if (was === DeviceState.Disconnecting || was === DeviceState.Restarting || this.stopped) {
      this.setState(DeviceState.Offline);
      return;
    }
    this.setState(DeviceState.Offline);
    const delay = backoffDelay(this.attempts++, this.ctx.device.reconnectMinMs, this.ctx.device.reconnectMaxMs, this.ctx.random());
    if (reason) this.ctx.log.debug({ thing: this.thingName, reason, retryInMs: Math.round(delay) }, 'connection lost');
    this.reschedule(this.ctx.clock.now() + delay, TIMER_RECONNECT);
  }

  onMessage(topic: string, payload: Buffer): void {
    this.ctx.counters.received++;
    if (this.jobs.owns(topic)) this.jobs.onMessage(topic, payload);
    else this.shadow.onMessage(topic, payload);
  }

  onTimer(kind: number): void {
    this.timer = undefined;
    if (kind === TIMER_TELEMETRY) {
      if (this.state !== DeviceState.Online) return;
      this.publishTelemetry();
      const now = this.ctx.clock.now();
      this.scheduleTelemetry(now + this.ctx.telemetry.intervalMs);
    } else if (kind === TIMER_DROP) {
      if (this.state !== DeviceState.Online) return;
      this.ctx.log.debug({ thing: this.thingName }, 'injected fault: the device drops off the network for good');
      // Backoff and start() take it from here: start() keeps it offline while the fault lasts.
      void this.conn.close('abrupt');
    } else if (kind === TIMER_RECONNECT && this.state === DeviceState.Offline && !this.stopped) {
      this.start();
    }
  }

  /** Current sensor reading in the device's display unit. */
  private reading(): { temp: number; humid: number } {
    this.thermal = stepThermal(this.thermal, { power: this.settings.power, setpointC: this.settings.setpoint }, this.group.site, this.ctx.clock.now());
    const r = sensorReading(this.thermal, this.deviceSeed);
    return { temp: displayTemperature(r.tempC, this.settings.tempUnit), humid: Math.round(r.humidity * 100) / 100 };
  }

  private publishTelemetry(): void {
    const { temp, humid } = this.reading();
    this.publish(
      this.topic,
      telemetryPayload({
        temp,
        humid,
        tempUnit: this.settings.tempUnit,
        thingName: this.thingName,
        location: this.group.locationId,
        timestamp: epochSeconds(this.ctx.clock),
      }),
      this.ctx.telemetry.qos,
    );
  }

  /** The next telemetry tick, or the injected drop if that comes first. */
  private scheduleTelemetry(due: number): void {
    const drop = this.dropDue();
    if (drop !== undefined && drop <= due) this.reschedule(drop, TIMER_DROP);
    else this.reschedule(due, TIMER_TELEMETRY);
  }

  private reschedule(due: number, kind: number): void {
    this.ctx.timers.cancel(this.timer);
    this.timer = this.ctx.timers.schedule(due, this, kind);
  }

  private setState(next: DeviceState): void {
    const c = this.ctx.counters;
    if (this.state === DeviceState.Online) c.online--;
    else if (this.state === DeviceState.Connecting) c.connecting--;
    if (next === DeviceState.Online) c.online++;
    else if (next === DeviceState.Connecting) c.connecting++;
    this.state = next;
  }

  private async shutdown(): Promise<void> {
    this.ctx.timers.cancel(this.timer);
    this.timer = undefined;
    this.jobs.onDisconnected();
    if (this.state === DeviceState.Offline) return;
    if (this.state === DeviceState.Connecting && !this.handshaking) {
      // Still waiting for a gate slot: there is no socket to close.
      this.setState(DeviceState.Offline);
      return;
    }
    this.setState(DeviceState.Disconnecting);
    await this.conn.close();
    this.setState(DeviceState.Offline);
  }
}
