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

/**
 * How long retiring a connection waits for aws-crt's callbacks. Both the disconnect callback and
 * `closed` must have run before the worker thread may end: a callback into a thread that is gone
 * makes aws-crt abort the whole process (a fatal N-API assertion). Bounded in case one never comes.
 */
const RETIRE_WAIT_MS = 3_000;

class AwsCrtConnection implements DeviceConnection {
  /** aws-crt frees a native connection once it is closed, so every open() makes a fresh one. */
  private connection: mqtt.MqttClientConnection | undefined;
  private state: 'idle' | 'connecting' | 'open' = 'idle';
  /** The previous connection's shutdown, awaited before close() resolves. */
  private retiring: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: mqtt.MqttClient,
    private readonly config: mqtt.MqttConnectionConfig,
    private readonly handler: ConnectionHandler,
  ) {}

  open(): void {
    if (this.state !== 'idle') return;
    this.state = 'connecting';
    const c = this.client.new_connection(this.config);
    this.connection = c;
    c.on('message', (topic, payload) => this.handler.onMessage(topic, Buffer.from(payload)));
    c.on('error', () => undefined);
    // aws-crt would reconnect on its own; the device's backoff on the worker scheduler decides instead.
    c.on('interrupt', (error) => {
      if (this.connection !== c || this.state !== 'open') return;
      this.drop(c);
      this.handler.onDisconnected(error.message);
    });
    c.connect().then(
      () => {
        if (this.connection !== c || this.state !== 'connecting') return;
        this.state = 'open';
        this.handler.onConnected();
      },
      (e: unknown) => {
        if (this.connection !== c) return;
        this.drop(c);
        this.handler.onDisconnected(e instanceof Error ? e.message : String(e));
      },
    );
  }

  publish(topic: string, payload: string, qos: QoS): void {
    if (this.state !== 'open') return;
    this.connection?.publish(topic, payload, qos).catch(() => undefined);
  }

  subscribe(filters: readonly string[], qos: QoS, done: (error: Error | undefined, granted: readonly boolean[]) => void): void {
    const c = this.connection;
    if (this.state !== 'open' || !c) return done(new Error('not connected'), []);
    Promise.all(filters.map((f) => c.subscribe(f, qos))).then(
      (grants) => done(undefined, grants.map((g) => g.error_code === undefined || g.error_code === 0 ? g.qos <= 1 : false)),
      (e: Error) => done(e, []),
    );
  }

  /** Always clean: aws-crt has no way to drop a connection without its DISCONNECT. */
  async close(): Promise<void> {
    const was = this.state;
    if (was !== 'idle' && this.connection) this.drop(this.connection);
    await this.retiring;
    if (was === 'open') this.handler.onDisconnected(undefined);
  }

  private drop(c: mqtt.MqttClientConnection): void {
    this.state = 'idle';
    this.connection = undefined;
    const previous = this.retiring;
    this.retiring = Promise.all([previous, retire(c)]).then(() => undefined);
  }
}

/** Disconnects and resolves once both of aws-crt's callbacks (disconnect, closed) have run. */
function retire(c: mqtt.MqttClientConnection): Promise<void> {
  const closed = new Promise<void>((resolve) => c.once('closed', () => resolve()));
  const disconnected = c.disconnect().catch(() => undefined);
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, RETIRE_WAIT_MS);
    timer.unref();
    void Promise.all([closed, disconnected]).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
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
