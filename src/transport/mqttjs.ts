import mqtt, { type MqttClient, type IClientOptions } from 'mqtt';
import type { CloseMode, ConnectionFactory, ConnectionHandler, ConnectionOptions, DeviceConnection, QoS } from './connection.js';

export interface MqttJsOptions {
  /** mqtt://host:port, ws://host:port/mqtt, … */
  url: string;
  connectTimeoutMs?: number;
}

/** How long a clean close may wait for the broker's acknowledgements before the socket is dropped. */
const CLEAN_CLOSE_WAIT_MS = 3000;

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

  close(mode: CloseMode = 'clean'): Promise<void> {
    if (!this.attemptOpen) return Promise.resolve();
    // A clean DISCONNECT needs an accepted connection; mid-handshake the socket is just dropped,
    // and so it is on purpose (end(true) destroys the stream without a DISCONNECT packet).
    if (mode === 'abrupt' || !this.client.connected) return new Promise((resolve) => this.client.end(true, {}, () => resolve()));
    return new Promise((resolve) => {
      let settled = false;
      const settle = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(force);
        resolve();
      };
      // MQTT.js waits for PUBACKs of in-flight QoS 1 publishes before it disconnects; a broker that
      // is gone or overloaded may never send them, so a clean close gets a bounded (wall-clock) wait,
      // after which the socket is dropped (MQTT.js ignores a second end() while one is pending).
      const force = setTimeout(() => {
        // Settle after MQTT.js has seen the socket close, so the handler hears of it first.
        this.client.once('close', settle);
        if (!this.client.stream || this.client.stream.destroyed) settle();
        else this.client.stream.destroy();
      }, CLEAN_CLOSE_WAIT_MS);
      force.unref();
      this.client.end(false, {}, settle);
    });
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
