import type { MqttClient } from 'mqtt';
import { devicePassword } from '../../src/core/device-password.js';
import { connectClient } from './mqtt.js';

export interface JobsReply {
  /** True for `…/accepted`, false for `…/rejected`. */
  accepted: boolean;
  topic: string;
  json: Record<string, unknown>;
}

export interface Received {
  topic: string;
  json: Record<string, unknown>;
}

/** Records every message a client receives (JSON-parsed; non-JSON kept as `{}`) and lets a test wait for one. */
export class MessageLog {
  readonly messages: Received[] = [];

  constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(payload.toString()) as Record<string, unknown>;
      } catch {
        // kept empty
      }
      this.messages.push({ topic, json });
    });
  }

  on(topic: string): Received[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  /** Resolves with the first message (already received or yet to come) matching `predicate`. */
  waitFor(predicate: (m: Received) => boolean, ms = 10_000, what = 'a matching message'): Promise<Received> {
    const seen = this.messages.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.off('message', on);
        reject(new Error(`no ${what} within ${ms} ms; last topics: ${JSON.stringify(this.messages.map((r) => r.topic).slice(-40))}`));
      }, ms);
      // Registered after the recording listener, so `messages` already holds the new message.
      const on = (): void => {
        const m = this.messages.find(predicate);
        if (!m) return;
        clearTimeout(timer);
        this.client.off('message', on);
        resolve(m);
      };
      this.client.on('message', on);
    });
  }
}

/**
 * A test playing one device over the device-side Jobs MQTT API (spec §1): logs in as its thing,
 * hears everything below `$aws/things/{thing}/jobs/`, and correlates replies by clientToken.
 */
export class PlayedJobsDevice extends MessageLog {
  private tokens = 0;

  private constructor(
    readonly thing: string,
    client: MqttClient,
  ) {
    super(client);
  }

  get prefix(): string {
    return `$aws/things/${this.thing}/jobs`;
  }

  static async connect(mqttUrl: string, deviceSecret: string, thing: string): Promise<PlayedJobsDevice> {
    const client = await connectClient(mqttUrl, { clientId: thing, username: thing, password: devicePassword(deviceSecret, thing) });
    const device = new PlayedJobsDevice(thing, client);
    const granted = await client.subscribeAsync(`$aws/things/${thing}/jobs/#`, { qos: 1 });
    if (granted.some((g) => g.qos === 128)) throw new Error(`${thing}: subscription to its own jobs topics refused`);
    return device;
  }

  /** Publishes a request below the jobs prefix and resolves with its accepted/rejected reply. */
  async request(op: string, body: Record<string, unknown> = {}, ms = 10_000): Promise<JobsReply> {
    const clientToken = `${this.thing}-${++this.tokens}`;
    const topic = `${this.prefix}/${op}`;
    const reply = this.waitFor((m) => (m.topic === `${topic}/accepted` || m.topic === `${topic}/rejected`) && m.json.clientToken === clientToken, ms, `reply to ${topic}`);
    await this.client.publishAsync(topic, JSON.stringify({ ...body, clientToken }), { qos: 1 });
    const m = await reply;
    return { accepted: m.topic.endsWith('/accepted'), topic: m.topic, json: m.json };
  }

  startNext(body: Record<string, unknown> = {}): Promise<JobsReply> {
    return this.request('start-next', body);
  }

  update(jobId: string, status: string, extra: Record<string, unknown> = {}): Promise<JobsReply> {
    return this.request(`${jobId}/update`, { status, ...extra });
  }

  describe(jobId: string, extra: Record<string, unknown> = {}): Promise<JobsReply> {
    return this.request(`${jobId}/get`, extra);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
