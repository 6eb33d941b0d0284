import mqtt, { type MqttClient } from 'mqtt';
import type { EmbeddedBroker } from '../broker/embedded.js';

export type ServiceBrokerLink =
  | { kind: 'embedded'; broker: EmbeddedBroker }
  | { kind: 'external'; url: string; username?: string | undefined; password?: string | undefined };

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
