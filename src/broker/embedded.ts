import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes, type Client } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Clock } from '../core/clock.js';
import { devicePassword } from '../core/device-password.js';
import { AcfleetError, ErrorCodes } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { canPublish, canSubscribe, type Principal } from './acl.js';
import type { DeviceDirectory } from './directory.js';
import { duplexPair } from './duplex-pair.js';
import { presenceTopic, type PresenceEvent } from './presence.js';

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  directory: DeviceDirectory;
  deviceSecret: string;
  /** Operator login; required when `host` is not a loopback address. */
  operator?: { username: string; password: string } | undefined;
  clock: Clock;
  log: Logger;
}

export interface BrokerCounters {
  authFailures: number;
  publishDenied: number;
  subscribeDenied: number;
}

/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3). */
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

export const isLoopbackHost = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const authError = (message: string, returnCode: number): Error & { returnCode: number } => Object.assign(new Error(message), { returnCode });

/**
 * aedes over TCP and WebSocket, with AWS IoT's identity rules: a client whose id is a registered
 * thing is that device (per-device password) and may touch only its own topics; anyone else is
 * an operator. Cloud services join through in-process streams.
 */
export class EmbeddedBroker {
  readonly counters: BrokerCounters = { authFailures: 0, publishDenied: 0, subscribeDenied: 0 };
  private readonly principals = new WeakMap<Client, Principal>();
  private readonly internal = new WeakSet<Client>();
  /** Connected devices by thing name; a takeover replaces the entry before the old one closes. */
  private readonly online = new Map<string, Client>();
  private readonly sessions = new WeakMap<Client, { id: string; version: number; ip: string | undefined }>();
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false) });
  private versionCounter = 0;

  private constructor(
    private readonly aedes: Aedes,
    private readonly server: Server,
    private readonly o: EmbeddedBrokerOptions,
  ) {}

  static async start(o: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
    if (!isLoopbackHost(o.host) && !o.operator) {
      throw new AcfleetError(
        ErrorCodes.BROKER_INSECURE,
        `the broker would listen on ${o.host}, beyond loopback, with no operator login: set broker.operator {username, password} in fleet.yaml or ACFLEET_OPERATOR_USERNAME / ACFLEET_OPERATOR_PASSWORD`,
      );
    }
    const aedes = await Aedes.createBroker({ id: 'acfleet', drainTimeout: 30_000 });
    const server = createServer();
    const broker = new EmbeddedBroker(aedes, server, o);
    broker.install();
    server.on('connection', (socket: Socket) => aedes.handle(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          new AcfleetError(
            ErrorCodes.BROKER_LISTEN_FAILED,
            e.code === 'EADDRINUSE'
              ? `MQTT port ${o.port} on ${o.host} is already in use: stop the other broker or pass --mqtt-port (0 picks a free one)`
              : `the MQTT broker cannot listen on ${o.host}:${o.port}: ${e.message}`,
            { cause: e },
          ),
        ),
      );
      server.listen(o.port, o.host, () => resolve());
    });
    return broker;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** URL for clients on this machine. */
  get url(): string {
    const host = this.o.host === '0.0.0.0' || this.o.host === '::' ? '127.0.0.1' : this.o.host;
    return `mqtt://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  get connectedDevices(): number {
    return this.online.size;
  }

  get connectedClients(): number {
    return this.aedes.connectedClients;
  }

  /** A stream speaking MQTT to the broker as an acfleet service (no socket, no file descriptor). */
  connectInternal(): Duplex {
    const [clientSide, brokerSide] = duplexPair();
    this.internal.add(this.aedes.handle(brokerSide));
    return clientSide;
  }

  /** MQTT over WebSocket, attached to the HTTP server's `/mqtt` upgrade (as AWS IoT serves it). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.aedes.handle(createWebSocketStream(ws), req);
    });
  }

  async close(): Promise<void> {
    // Stop accepting first; server.close() only calls back once every connection has ended,
    // and it is aedes.close() that ends them, so the two must not be awaited in sequence.
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await serverClosed;
  }

  private install(): void {
    const { aedes, o } = this;
    aedes.authenticate = (client, username, password, done) => {
      const principal = this.identify(client, username, password);
      if (typeof principal === 'string') {
        this.counters.authFailures++;
        o.log.warn({ clientId: client.id, username, reason: principal }, 'MQTT connection refused');
        done(authError(principal, principal.startsWith('not authorized') ? NOT_AUTHORIZED : BAD_USERNAME_OR_PASSWORD), false);
        return;
      }
      this.principals.set(client, principal);
      done(null, true);
    };
    aedes.authorizePublish = (client, packet, done) => {
      const p = client ? this.principals.get(client) : { kind: 'service' as const };
      if (p && canPublish(p, packet.topic)) return done(null);
      this.counters.publishDenied++;
      o.log.warn({ clientId: client?.id, topic: packet.topic }, 'publish denied: connection closed, as AWS IoT does');
      done(new Error(`not authorized to publish on ${packet.topic}`));
    };
    aedes.authorizeSubscribe = (client, sub, done) => {
      const p = this.principals.get(client);
      if (p && canSubscribe(p, sub.topic)) return done(null, sub);
      this.counters.subscribeDenied++;
      o.log.warn({ clientId: client.id, filter: sub.topic }, 'subscription denied (SUBACK 0x80)');
      done(null, null);
    };
    aedes.on('clientReady', (client) => {
      const p = this.principals.get(client);
      if (p?.kind !== 'device') return;
      this.online.set(p.thingName, client);
      const session = { id: randomUUID(), version: ++this.versionCounter, ip: ipOf(client) };
      this.sessions.set(client, session);
      this.presence(client.id, 'connected', session);
    });
    aedes.on('clientDisconnect', (client) => {
      const p = this.principals.get(client);
      if (p?.kind !== 'device') return;
      if (this.online.get(p.thingName) === client) this.online.delete(p.thingName);
      const session = this.sessions.get(client);
      if (session) this.presence(client.id, 'disconnected', session, disconnectReason(client, this.online.get(p.thingName)));
    });
    aedes.on('clientError', (client, error) => o.log.debug({ clientId: client.id, err: error.message }, 'MQTT client error'));
    aedes.on('connectionError', (client, error) => o.log.debug({ clientId: client.id, err: error.message }, 'MQTT connection error'));
  }

  /** The principal for a CONNECT, or why it is refused. */
  private identify(client: Client, username: string | undefined, password: Buffer | undefined): Principal | string {
    if (this.internal.has(client)) return { kind: 'service' };
    if (this.o.directory.isRegistered(client.id)) {
      const telemetryTopic = this.o.directory.telemetryTopicOf(client.id);
      if (!password) return `bad username or password: ${client.id} is a registered thing and must log in with its device password`;
      if (!sameSecret(password.toString(), devicePassword(this.o.deviceSecret, client.id))) return `bad username or password for thing ${client.id}`;
      return { kind: 'device', thingName: client.id, telemetryTopic };
    }
    const op = this.o.operator;
    const loopback = isLoopbackHost(this.o.host);
    if (username === undefined && !password) {
      return loopback ? { kind: 'operator', username } : 'not authorized: this broker listens beyond loopback, so operators must log in';
    }
    if (op && username === op.username && password && sameSecret(password.toString(), op.password)) return { kind: 'operator', username };
    // With no operator login configured, loopback clients' credentials are not checked.
    if (!op && loopback) return { kind: 'operator', username };
    return 'bad username or password for operator';
  }

  private presence(
    clientId: string,
    kind: 'connected' | 'disconnected',
    session: { id: string; version: number; ip: string | undefined },
    reason?: string,
  ): void {
    const event: PresenceEvent = {
      clientId,
      timestamp: Math.floor(this.o.clock.now()),
      eventType: kind,
      sessionIdentifier: session.id,
      principalIdentifier: clientId,
      ...(session.ip ? { ipAddress: session.ip } : {}),
      versionNumber: session.version,
      ...(reason ? { clientInitiatedDisconnect: reason === 'CLIENT_INITIATED_DISCONNECT', disconnectReason: reason } : {}),
    };
    this.aedes.publish({ cmd: 'publish', topic: presenceTopic(kind, clientId), payload: Buffer.from(JSON.stringify(event)), qos: 0, retain: false, dup: false }, () => {});
  }
}

/** AWS's disconnectReason values for what aedes can tell apart. */
function disconnectReason(client: Client, current: Client | undefined): string {
  if (current && current !== client) return 'DUPLICATE_CLIENTID';
  // aedes marks a client that sent a DISCONNECT packet.
  return (client as unknown as { _disconnected?: boolean })._disconnected ? 'CLIENT_INITIATED_DISCONNECT' : 'CONNECTION_LOST';
}

function ipOf(client: Client): string | undefined {
  const conn = (client as unknown as { conn?: { remoteAddress?: string } }).conn;
  return conn?.remoteAddress;
}
