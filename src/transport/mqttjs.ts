import mqtt, { type MqttClient, type IClientOptions } from 'mqtt';
import type { ConnectionFactory, ConnectionHandler, ConnectionOptions, DeviceConnection, QoS } from './connection.js';

export interface MqttJsOptions {
  /** mqtt://host:port, ws://host:port/mqtt, … */
  url: string;
  connectTimeoutMs?: number;
}

class MqttJsConnection implements DeviceConnection {
  private readonly client: MqttClient;
  private attemptOpen = false;
  private openedBefore = false;

  constructor(url: string, options: IClientOptions, handler: ConnectionHandler) {
    this.client = mqtt.connect(url, options);
    this.client.on('connect', () => handler.onConnected());
    this.client.on('message', (topic, payload) => handler.onMessage(topic, payload));
    // A refused CONNACK emits 'error' then 'close'; a dropped socket only 'close'. Report once per attempt.
    let lastError: string | undefined;
    this.client.on('error', (e) => (lastError = e.message));
    this.client.on('close', () => {
      if (!this.attemptOpen) return;
      this.attemptOpen = false;
      const reason = lastError;
      lastError = undefined;
      handler.onDisconnected(reason);
    });
  }

  open(): void {
    this.attemptOpen = true;
    if (this.openedBefore) this.client.reconnect();
    else this.client.connect();
    this.openedBefore = true;
  }

  publish(topic: string, payload: string, qos: QoS): void {
    if (!this.client.connected) return;
    this.client.publish(topic, payload, { qos });
  }

  subscribe(filters: readonly string[], qos: QoS, done: (error: Error | undefined, granted: readonly boolean[]) => void): void {
    this.client.subscribe([...filters], { qos }, (error, grants) => {
      done(error ?? undefined, (grants ?? []).map((g) => g.qos !== 128));
    });
  }

  close(): Promise<void> {
    if (!this.attemptOpen) return Promise.resolve();
    // A clean DISCONNECT needs an accepted connection; mid-handshake the socket is just dropped.
    return new Promise((resolve) => this.client.end(!this.client.connected, {}, () => resolve()));
  }
}

export function mqttJsFactory({ url, connectTimeoutMs = 30_000 }: MqttJsOptions): ConnectionFactory {
  return {
    create(o: ConnectionOptions, handler: ConnectionHandler): DeviceConnection {
      return new MqttJsConnection(
        url,
        {
          clientId: o.clientId,
          username: o.username,
          password: o.password,
          keepalive: o.keepaliveSec,
          clean: true,
          protocolVersion: 4,
          reconnectPeriod: 0,
          resubscribe: false,
          manualConnect: true,
          connectTimeout: connectTimeoutMs,
        },
        handler,
      );
    },
  };
}
