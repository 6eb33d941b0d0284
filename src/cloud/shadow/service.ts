import type { MqttClient } from 'mqtt';
import { epochSeconds, type Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { JsonObject } from './json.js';
import { applyShadowUpdate, shadowNotFound, type ShadowError } from './merge.js';
import { deleteAcceptedDoc, getAcceptedDoc, rejectedDoc } from './documents.js';
import { parseTokenOnlyRequest, parseUpdateRequest } from './request.js';
import type { ShadowStore } from './store.js';
import { SHADOW_NAME_PATTERN, SHADOW_REQUEST_FILTERS, THING_NAME_PATTERN, parseShadowTopic, shadowPrefix, type ShadowOp } from './topics.js';

export interface ShadowServiceOptions {
  maxStateBytes: number;
  deltaOn: 'desired-updates' | 'any-update';
}

/** A message the service publishes besides the reply: update/delta and update/documents. */
export interface ShadowPublish {
  topic: string;
  body: JsonObject;
}

export type ShadowReply =
  | { ok: true; body: JsonObject; publishes: ShadowPublish[] }
  | { ok: false; error: ShadowError; body: JsonObject };

export interface ShadowCounters {
  requests: number;
  accepted: number;
  rejected: number;
}

/**
 * The Device Shadow service. `request` is transport-free (used by MQTT and HTTP alike); `attach`
 * serves it over MQTT as AWS IoT does.
 */
export class ShadowService {
  readonly counters: ShadowCounters = { requests: 0, accepted: 0, rejected: 0 };
  private client: MqttClient | undefined;

  constructor(
    private readonly store: ShadowStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: ShadowServiceOptions,
  ) {}

  request(op: ShadowOp, thing: string, shadowName: string, payload: Uint8Array): ShadowReply {
    this.counters.requests++;
    const now = epochSeconds(this.clock);
    const reply = this.dispatch(op, thing, shadowName, payload, now);
    if (reply.ok) this.counters.accepted++;
    else this.counters.rejected++;
    return reply;
  }

  /** Subscribes to every shadow request topic and answers on the AWS response topics. */
  async attach(client: MqttClient): Promise<void> {
    this.client = client;
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    await client.subscribeAsync(SHADOW_REQUEST_FILTERS, { qos: 1 });
  }

  /** Publishes delta/documents for a request that did not arrive over MQTT (HTTP). */
  publishAll(publishes: readonly ShadowPublish[]): void {
    for (const p of publishes) this.publish(p.topic, p.body);
  }

  private onMessage(topic: string, payload: Buffer): void {
    const t = parseShadowTopic(topic);
    if (!t) return;
    const reply = this.request(t.op, t.thing, t.shadowName, payload);
    // Reply topics hang off the request topic itself, so a malformed name still gets its answer.
    this.publish(`${topic}/${reply.ok ? 'accepted' : 'rejected'}`, reply.body);
    if (reply.ok) this.publishAll(reply.publishes);
    else this.log.debug({ topic, code: reply.error.code, message: reply.error.message }, 'shadow request rejected');
  }

  private publish(topic: string, body: JsonObject): void {
    this.client?.publish(topic, JSON.stringify(body), { qos: 1 }, (e) => {
      if (e) this.log.warn({ topic, err: e.message }, 'could not publish a shadow reply');
    });
  }

  private dispatch(op: ShadowOp, thing: string, shadowName: string, payload: Uint8Array, now: number): ShadowReply {
    const fail = (error: ShadowError, clientToken?: string): ShadowReply => ({ ok: false, error, body: rejectedDoc(error, now, clientToken) });
    if (!THING_NAME_PATTERN.test(thing)) return fail({ code: 400, message: 'Invalid thing name' });
    if (shadowName !== '' && (!SHADOW_NAME_PATTERN.test(shadowName) || shadowName.startsWith('$'))) {
      return fail({ code: 400, message: 'Invalid shadow name' });
    }
    const stored = this.store.get(thing, shadowName);
    const prefix = shadowPrefix(thing, shadowName);

    if (op === 'update') {
      const req = parseUpdateRequest(payload);
      if (!req.ok) return fail(req.error, req.error.clientToken);
      const outcome = applyShadowUpdate(stored.doc, req.value, now, {
        maxStateBytes: this.options.maxStateBytes,
        deltaOn: this.options.deltaOn,
        ...(stored.deletedVersion !== undefined ? { deletedVersion: stored.deletedVersion } : {}),
      });
      if (!outcome.ok) return fail(outcome.error, req.value.clientToken);
      this.store.put(thing, shadowName, outcome.value.next, now);
      const publishes: ShadowPublish[] = [];
      if (outcome.value.deltaDoc) publishes.push({ topic: `${prefix}/update/delta`, body: outcome.value.deltaDoc });
      publishes.push({ topic: `${prefix}/update/documents`, body: outcome.value.documentsDoc });
      return { ok: true, body: outcome.value.acceptedDoc, publishes };
    }

    const req = parseTokenOnlyRequest(payload);
    if (!req.ok) return fail(req.error, req.error.clientToken);
    const token = req.value.clientToken;
    if (!stored.doc) {
      // AWS quotes the name, and names a classic shadow by its thing.
      return fail(shadowNotFound(`'${shadowName === '' ? thing : shadowName}'`), token);
    }
    if (op === 'get') return { ok: true, body: getAcceptedDoc(stored.doc, now, token), publishes: [] };
    this.store.markDeleted(thing, shadowName, stored.doc.version, now);
    return { ok: true, body: deleteAcceptedDoc(stored.doc.version, now, token), publishes: [] };
  }
}
