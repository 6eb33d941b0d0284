import { existsSync } from 'node:fs';
import { join } from 'node:path';
// Types only: the SDK (and its native aws-crt module) loads when a fleet first asks for it.
import type { mqtt } from 'aws-iot-device-sdk-v2';
import type { ConnectionFactory, ConnectionHandler, ConnectionOptions, DeviceConnection, QoS } from './connection.js';

/** Where the aws-iot-device-sdk-v2 (aws-crt) transport connects. */
export type AwsCrtTarget =
  /** AWS IoT Core: mutual TLS on 8883 with each thing's certificate from `certDir`. */
  | { kind: 'aws-iot'; endpoint: string; certDir: string; caFile?: string | undefined }
  /** Any MQTT broker over plain TCP (the local emulator, mosquitto): same client, no TLS. */
  | { kind: 'plain'; host: string; port: number };

/** The certificate and key a thing presents to AWS IoT Core: `<certDir>/<thing>.cert.pem` and `.private.key`. */
export function thingCertificate(certDir: string, thingName: string): { cert: string; key: string } {
  return { cert: join(certDir, `${thingName}.cert.pem`), key: join(certDir, `${thingName}.private.key`) };
}

class AwsCrtConnection implements DeviceConnection {
  private readonly connection: mqtt.MqttClientConnection;
  private state: 'idle' | 'connecting' | 'open' = 'idle';

  constructor(
    client: mqtt.MqttClient,
    config: mqtt.MqttConnectionConfig,
    private readonly handler: ConnectionHandler,
  ) {
    this.connection = client.new_connection(config);
    this.connection.on('message', (topic, payload) => handler.onMessage(topic, Buffer.from(payload)));
    this.connection.on('error', () => undefined);
    // aws-crt would reconnect on its own; the device's backoff on the worker scheduler decides instead.
    this.connection.on('interrupt', (error) => {
      if (this.state !== 'open') return;
      this.state = 'idle';
      void this.connection.disconnect().catch(() => undefined);
      handler.onDisconnected(error.message);
    });
  }

  open(): void {
    if (this.state !== 'idle') return;
    this.state = 'connecting';
    this.connection.connect().then(
      () => {
        this.state = 'open';
        this.handler.onConnected();
      },
      (e: Error) => {
        this.state = 'idle';
        this.handler.onDisconnected(e.message);
      },
    );
  }

  publish(topic: string, payload: string, qos: QoS): void {
    if (this.state !== 'open') return;
    this.connection.publish(topic, payload, qos).catch(() => undefined);
  }

  subscribe(filters: readonly string[], qos: QoS, done: (error: Error | undefined, granted: readonly boolean[]) => void): void {
    Promise.all(filters.map((f) => this.connection.subscribe(f, qos))).then(
      (grants) => done(undefined, grants.map((g) => g.error_code === undefined || g.error_code === 0 ? g.qos <= 1 : false)),
      (e: Error) => done(e, []),
    );
  }

  async close(): Promise<void> {
    if (this.state === 'idle') return;
    const was = this.state;
    this.state = 'idle';
    await this.connection.disconnect().catch(() => undefined);
    if (was === 'open') this.handler.onDisconnected(undefined);
  }
}

/**
 * Devices on aws-iot-device-sdk-v2: the client AWS recommends for AWS IoT Core. One client
 * bootstrap (event loop group) is shared by every device of the worker.
 */
export async function awsCrtFactory(target: AwsCrtTarget): Promise<ConnectionFactory> {
  const { iot, io, mqtt } = await import('aws-iot-device-sdk-v2');
  const client = new mqtt.MqttClient(new io.ClientBootstrap());
  if (target.kind === 'aws-iot' && target.caFile && !existsSync(target.caFile)) throw new Error(`CA file ${target.caFile} does not exist`);
  return {
    create(o: ConnectionOptions, handler: ConnectionHandler): DeviceConnection {
      let config: mqtt.MqttConnectionConfig;
      if (target.kind === 'aws-iot') {
        const { cert, key } = thingCertificate(target.certDir, o.clientId);
        const builder = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder_from_path(cert, key)
          .with_endpoint(target.endpoint)
          .with_client_id(o.clientId)
          .with_clean_session(true)
          .with_keep_alive_seconds(o.keepaliveSec);
        if (target.caFile) builder.with_certificate_authority_from_path(undefined, target.caFile);
        config = builder.build();
      } else {
        config = {
          client_id: o.clientId,
          host_name: target.host,
          port: target.port,
          clean_session: true,
          keep_alive: o.keepaliveSec,
          username: o.username,
          password: o.password,
          socket_options: new io.SocketOptions(io.SocketType.STREAM, io.SocketDomain.IPV4, 10_000),
          // The SDK would otherwise append "?SDK=…" to the user name, which a plain broker's auth rejects.
          disable_metrics: true,
        };
      }
      return new AwsCrtConnection(client, config, handler);
    },
  };
}
