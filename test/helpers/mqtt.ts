import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/** Connects an MQTT.js client and waits for CONNACK; rejects on refusal. */
export async function connectClient(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', (e) => {
      client.end(true);
      reject(e);
    });
    client.once('close', () => reject(new Error('connection closed before CONNACK')));
  });
  return client;
}

/** Resolves with the first message on a topic matching `predicate`, or rejects after `ms`. */
export function nextMessage(client: MqttClient, predicate: (topic: string, payload: Buffer) => boolean, ms = 10_000): Promise<{ topic: string; payload: Buffer; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', on);
      reject(new Error(`no matching message within ${ms} ms`));
    }, ms);
    const on = (topic: string, payload: Buffer): void => {
      if (!predicate(topic, payload)) return;
      clearTimeout(timer);
      client.off('message', on);
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(payload.toString()) as Record<string, unknown>;
      } catch {
        // not JSON: callers look at payload
      }
      resolve({ topic, payload, json });
    };
    client.on('message', on);
  });
}

/** Polls `probe` until it returns a value that isn't undefined (for eventual consistency across processes). */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SUBACK return codes per filter (128 = refused), whether or not MQTT.js treats a refusal as an error. */
export function subscribeCodes(client: MqttClient, filters: string[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    client.subscribe(filters, { qos: 1 }, (error, granted) => {
      if (!error) return resolve((granted ?? []).map((g) => g.qos));
      const packet = (error as Error & { packet?: { granted?: (number | { qos: number })[] } }).packet;
      if (packet?.granted) return resolve(packet.granted.map((g) => (typeof g === 'number' ? g : g.qos)));
      reject(error);
    });
  });
}
