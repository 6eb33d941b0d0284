/**
 * What a device needs from an MQTT connection. Implementations: MQTT.js (local brokers) and
 * aws-iot-device-sdk-v2 (AWS IoT Core). Reconnection is the device's job, not the transport's,
 * so backoff runs on the worker's shared scheduler instead of one timer per client.
 */
export type QoS = 0 | 1;

export interface ConnectionHandler {
  /** The broker accepted the connection (CONNACK 0). */
  onConnected(): void;
  /** A connection attempt failed or an open connection closed. Called once per attempt. */
  onDisconnected(reason: string | undefined): void;
  onMessage(topic: string, payload: Buffer): void;
}

export interface DeviceConnection {
  /** Starts one connection attempt; the outcome arrives through the handler. */
  open(): void;
  publish(topic: string, payload: string, qos: QoS): void;
  /** `granted` holds false for each filter the broker refused. */
  subscribe(filters: readonly string[], qos: QoS, done: (error: Error | undefined, granted: readonly boolean[]) => void): void;
  /**
   * Closes the connection; resolves when the socket is closed. 'clean' (the default) sends an
   * MQTT DISCONNECT; 'abrupt' just drops the socket, as a dead process would, so the broker sees
   * a lost client (and publishes its will). Transports that cannot drop a socket close cleanly.
   */
  close(mode?: CloseMode): Promise<void>;
}

export type CloseMode = 'clean' | 'abrupt';

export interface ConnectionOptions {
  clientId: string;
  username?: string | undefined;
  password?: string | undefined;
  keepaliveSec: number;
}

export interface ConnectionFactory {
  create(options: ConnectionOptions, handler: ConnectionHandler): DeviceConnection;
}
