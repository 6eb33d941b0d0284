/**
 * The bench's operator: an anonymous MQTT login on loopback (an operator under both brokers'
 * rules) that sends the baseline's desired-state updates and watches for each device's answer,
 * noting when each thing's first matching message arrived.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { nowMs } from './time.js';

/** Decides whether a message completes a thing: its name, or undefined when it does not. */
export type Matcher = (topic: string, payload: Buffer) => string | undefined;

/** First arrival per thing, on this process's clock (`nowMs`). */
export class Arrivals {
  readonly at = new Map<string, number>();
  lastAt = Number.NaN;

  note(thing: string): void {
    if (this.at.has(thing)) return;
    this.lastAt = nowMs();
    this.at.set(thing, this.lastAt);
  }

  get count(): number {
    return this.at.size;
  }

  /** ms from `t0` to each arrival. */
  latenciesFrom(t0: number): Float64Array {
    return Float64Array.from(this.at.values(), (t) => t - t0);
  }
}

export class JobsOperator {
  private onMessage: ((topic: string, payload: Buffer) => void) | undefined;

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload) => this.onMessage?.(topic, payload));
  }

  static async connect(url: string): Promise<JobsOperator> {
    const client = mqtt.connect(url, { clientId: `acfleet-bench-operator-${process.pid}`, clean: true, protocolVersion: 4, reconnectPeriod: 0, keepalive: 60, connectTimeout: 10_000 });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
        client.once('close', () => reject(new Error('the operator was disconnected before CONNACK')));
      });
    } catch (e) {
      client.end(true);
      throw e;
    }
    return new JobsOperator(client);
  }

  /**
   * Subscribes (QoS 1: no answer may be lost) and routes messages to `match` until the returned
   * function unsubscribes, so one phase's watching never loads another phase.
   */
  async watch(filters: string[], match: Matcher, arrivals: Arrivals, other?: (topic: string, payload: Buffer) => void): Promise<() => Promise<void>> {
    this.onMessage = (topic, payload) => {
      const thing = match(topic, payload);
      if (thing !== undefined) arrivals.note(thing);
      else other?.(topic, payload);
    };
    await this.client.subscribeAsync(filters, { qos: 1 });
    return async () => {
      await this.client.unsubscribeAsync(filters);
      this.onMessage = undefined;
    };
  }

  /** QoS 1, not awaited: the caller times from the first publish. */
  publish(topic: string, payload: string): void {
    this.client.publish(topic, payload, { qos: 1 });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.client.end(true, {}, () => resolve()));
  }
}
