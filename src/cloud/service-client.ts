import mqtt, { type MqttClient } from 'mqtt';
import type { EmbeddedBroker } from '../broker/embedded.js';

export type ServiceBrokerLink =
  | { kind: 'embedded'; broker: EmbeddedBroker }
  | { kind: 'external'; url: string; username?: string | undefined; password?: string | undefined };

/**
 * Messages a service handles before letting the event loop turn. MQTT.js parses a whole socket
 * read and handles every packet in it before yielding, and a service connection to mosquitto
 * receives tens of thousands in a burst (a fleet connecting, a rollout): without this the cloud's
 * HTTP API and store writes stalled for over a second (bench/jobs.ts, mosquitto, 2,000 devices).
 */
const MESSAGES_PER_TURN = 64;

/** An MQTT.js `handleMessage` hook that lets the event loop run after every `n` messages. */
export function yieldEvery(n: number): (packet: unknown, done: (error?: Error) => void) => void {
  let count = 0;
  return (_packet, done) => {
    if (++count % n === 0) setImmediate(done);
    else done();
  };
}

/**
 * An MQTT connection for one cloud service: an in-process stream to the embedded broker, or TCP
 * to an external one (mosquitto, EMQX). Resolves once the broker has accepted it.
 */
export async function connectService(link: ServiceBrokerLink, clientId: string): Promise<MqttClient> {
  const common = { clientId, clean: true, protocolVersion: 4 as const, reconnectPeriod: 1000, keepalive: 60, resubscribe: true };
  const client =
    link.kind === 'embedded'
      ? new mqtt.MqttClient(() => link.broker.connectInternal(), common)
      : mqtt.connect(link.url, { ...common, username: link.username, password: link.password });
  client.handleMessage = yieldEvery(MESSAGES_PER_TURN);
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => {
      client.end(true);
      reject(new Error(`${clientId} could not connect to the MQTT broker: ${e.message}`));
    };
    client.once('connect', () => {
      client.off('error', onError);
      resolve();
    });
    client.once('error', onError);
  });
  return client;
}
