/** The operator subscriber that counts telemetry, for the fleet and its baseline alike. */
import mqtt, { type MqttClient } from 'mqtt';

export const TELEMETRY_FILTER = 'dt/acfleet/#';

export class TelemetryCounter {
  private received = 0;

  private constructor(private readonly client: MqttClient) {
    client.on('message', () => {
      this.received++;
    });
  }

  /** An anonymous operator login on loopback: allowed to read everything by both brokers' rules. */
  static async connect(url: string): Promise<TelemetryCounter> {
    const client = mqtt.connect(url, { clientId: 'acfleet-bench-counter', clean: true, protocolVersion: 4, reconnectPeriod: 0, keepalive: 60, connectTimeout: 10_000 });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
        client.once('close', () => reject(new Error('the telemetry counter was disconnected before CONNACK')));
      });
      await client.subscribeAsync(TELEMETRY_FILTER, { qos: 0 });
    } catch (e) {
      client.end(true);
      throw e;
    }
    return new TelemetryCounter(client);
  }

  get count(): number {
    return this.received;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.client.end(true, {}, () => resolve()));
  }
}
