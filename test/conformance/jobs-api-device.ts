/**
 * A test client playing a device on the Jobs MQTT API (spec §1): it records every message it
 * receives (with a `jobs/#` subscription that includes its own requests, heard back), so a test
 * can assert both that a notification arrived and that one did NOT arrive between two points of
 * the log. Also the context the jobs conformance files share.
 */
import { randomUUID } from 'node:crypto';
import type { IoTClient } from '@aws-sdk/client-iot';
import type { MqttClient } from 'mqtt';
import { expect } from 'vitest';
import type { BrokerUnderTest } from '../helpers/brokers.js';

export interface JobsMessage {
  /** The topic below `$aws/things/{thing}/jobs/`, e.g. `notify` or `j1/update/accepted`. */
  rel: string;
  topic: string;
  raw: string;
  json: Record<string, unknown>;
}

type Payload = object | string | Uint8Array;

const encode = (p: Payload): string | Buffer => (typeof p === 'string' ? p : p instanceof Uint8Array ? Buffer.from(p) : JSON.stringify(p));

export class JobsTestDevice {
  readonly prefix: string;
  readonly log: JobsMessage[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly thing: string,
    readonly client: MqttClient,
  ) {
    this.prefix = `$aws/things/${thing}/jobs`;
    client.on('message', (topic, payload) => {
      const raw = payload.toString();
      let json: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(raw);
        if (typeof parsed === 'object' && parsed !== null) json = parsed as Record<string, unknown>;
      } catch {
        // recorded raw: a malformed request of the test's own, heard back on jobs/#
      }
      const rel = topic.startsWith(`${this.prefix}/`) ? topic.slice(this.prefix.length + 1) : topic;
      this.log.push({ rel, topic, raw, json });
      for (const w of [...this.waiters]) w();
    });
  }

  /** The position in the log, to look at what arrived after it. */
  mark(): number {
    return this.log.length;
  }

  /** Messages after `from` whose relative topic is `rel` (all of them when `rel` is omitted). */
  since(from: number, rel?: string): JobsMessage[] {
    return this.log.slice(from).filter((m) => rel === undefined || m.rel === rel);
  }

  /** The first message after `from` satisfying `pred`, waiting for it if needed. */
  waitFor(pred: (m: JobsMessage) => boolean, from: number, what: string, ms = 10_000): Promise<JobsMessage> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.log.slice(from).find(pred);
        if (!hit) return false;
        cleanup();
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.thing}: no ${what} within ${ms} ms; got ${JSON.stringify(this.since(from).map((m) => m.rel))}`));
      }, ms);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(listener);
      };
      const listener = (): void => void check();
      this.waiters.add(listener);
      check();
    });
  }

  /** The next message on `rel` after `from`. */
  next(rel: string, from: number): Promise<JobsMessage> {
    return this.waitFor((m) => m.rel === rel, from, rel);
  }

  /**
   * Publishes `payload` verbatim on `{prefix}/{op}` and resolves with the first reply on
   * `…/{op}/accepted|rejected` that follows (the tests never have two requests on one topic in flight).
   */
  async raw(op: string, payload: Payload, qos: 0 | 1 = 1): Promise<JobsMessage> {
    const from = this.mark();
    const reply = this.waitFor((m) => m.rel === `${op}/accepted` || m.rel === `${op}/rejected`, from, `reply on ${op}`);
    await this.client.publishAsync(`${this.prefix}/${op}`, encode(payload), { qos });
    return reply;
  }

  /** A request carrying a fresh clientToken; the reply must echo it. */
  async call(op: string, fields: object = {}): Promise<JobsMessage> {
    const clientToken = `ct-${randomUUID()}`;
    const reply = await this.raw(op, { ...fields, clientToken });
    expect(reply.json.clientToken, `clientToken echoed on ${reply.rel}`).toBe(clientToken);
    return reply;
  }

  async accepted(op: string, fields: object = {}): Promise<Record<string, unknown>> {
    const r = await this.call(op, fields);
    expect(r.rel, `${op} accepted, got ${r.raw}`).toBe(`${op}/accepted`);
    return r.json;
  }

  async rejected(op: string, fields: object = {}): Promise<Record<string, unknown>> {
    const r = await this.call(op, fields);
    expect(r.rel, `${op} rejected, got ${r.raw}`).toBe(`${op}/rejected`);
    return r.json;
  }

  /** The execution `{jobId}/get` describes now. */
  async describe(jobId: string, fields: object = {}): Promise<Record<string, unknown>> {
    return (await this.accepted(`${jobId}/get`, fields)).execution as Record<string, unknown>;
  }

  /**
   * A `get` round trip: every message the service published to this device before it answered
   * has arrived once the answer has (one publisher, QoS 1, in order). Returns the answer's log
   * position, so `log.slice(from, end)` is exactly what arrived in between.
   */
  async settle(): Promise<number> {
    const reply = await this.call('get');
    expect(reply.rel).toBe('get/accepted');
    return this.log.indexOf(reply);
  }
}

/** True for what the service sends (replies and notifications), false for requests a device hears back on `jobs/#`. */
export const fromService = (m: JobsMessage): boolean => m.rel === 'notify' || m.rel === 'notify-next' || m.rel.endsWith('/accepted') || m.rel.endsWith('/rejected');

/** Asserts an integer epoch-seconds timestamp close to the cloud clock's now (spec §1.2, §10 #2). */
export function expectTimestamp(json: Record<string, unknown>, nowMs: number): void {
  const ts = json.timestamp;
  expect(Number.isInteger(ts), `integer timestamp in ${JSON.stringify(json)}`).toBe(true);
  const nowSec = nowMs / 1000;
  expect(ts as number).toBeLessThanOrEqual(Math.ceil(nowSec));
  expect(ts as number).toBeGreaterThan(nowSec - 3600);
}

/** What the jobs conformance tests share: the broker under test, the control plane, fresh things. */
export interface JobsSuite {
  broker(): BrokerUnderTest;
  /** The unmodified AWS SDK pointed at acfleet's REST API. */
  iot(): IoTClient;
  /** A registered thing no other test has used. */
  freshThing(): string;
  /** A fresh thing's device, connected and subscribed to its own `jobs/#`. */
  freshDevice(): Promise<JobsTestDevice>;
  /** An MQTT connection as `thing` (client id = user name = thing name, its HMAC password). */
  connectAs(thing: string): Promise<MqttClient>;
  /** CreateJob through the control plane, targeting the things by ARN; returns a fresh job id. */
  createJob(things: string | string[], document?: object): Promise<string>;
  /** The cloud clock, in ms. */
  now(): number;
}

export const thingArn = (thing: string): string => `arn:aws:iot:us-east-1:123456789012:thing/${thing}`;
