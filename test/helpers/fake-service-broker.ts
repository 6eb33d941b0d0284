import type { MqttClient } from 'mqtt';

export interface Sent {
  topic: string;
  body: Record<string, unknown>;
}

/** Plays the broker for a cloud service under test: records what the service publishes and delivers what devices send. */
export class FakeBroker {
  readonly sent: Sent[] = [];
  private listener: ((topic: string, payload: Buffer) => void) | undefined;
  readonly client = {
    on: (_event: 'message', fn: (topic: string, payload: Buffer) => void) => {
      this.listener = fn;
    },
    subscribeAsync: async () => [],
    publish: (topic: string, payload: string) => {
      this.sent.push({ topic, body: JSON.parse(payload) as Record<string, unknown> });
    },
  } as unknown as MqttClient;

  /** A device publishes; returns what the service answered on `<topic>/accepted|rejected`. */
  request(topic: string, body: unknown = {}): Sent {
    return this.requestRaw(topic, Buffer.from(JSON.stringify(body)));
  }

  requestRaw(topic: string, payload: Buffer): Sent {
    const from = this.sent.length;
    this.listener?.(topic, payload);
    const reply = this.sent.slice(from).find((s) => s.topic.startsWith(`${topic}/`));
    if (!reply) throw new Error(`no reply to ${topic}`);
    return reply;
  }

  on(topic: string): Sent[] {
    return this.sent.filter((s) => s.topic === topic);
  }

  clear(): void {
    this.sent.length = 0;
  }
}
