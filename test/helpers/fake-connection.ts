import type { CloseMode, ConnectionFactory, ConnectionHandler, ConnectionOptions, DeviceConnection, QoS } from '../../src/transport/connection.js';

export interface Published {
  topic: string;
  payload: string;
  qos: QoS;
}

/** An in-memory DeviceConnection: records what the device sends; the test plays the broker. */
export class FakeConnection implements DeviceConnection {
  opens = 0;
  closes = 0;
  /** How each close went: 'abrupt' ones sent no DISCONNECT. */
  readonly closeModes: CloseMode[] = [];
  readonly published: Published[] = [];
  readonly subscriptions: string[] = [];
  /** Filters the "broker" refuses. */
  refuse = new Set<string>();

  constructor(
    readonly options: ConnectionOptions,
    readonly handler: ConnectionHandler,
  ) {}

  open(): void {
    this.opens++;
  }

  publish(topic: string, payload: string, qos: QoS): void {
    this.published.push({ topic, payload, qos });
  }

  subscribe(filters: readonly string[], _qos: QoS, done: (error: Error | undefined, granted: readonly boolean[]) => void): void {
    this.subscriptions.push(...filters);
    done(
      undefined,
      filters.map((f) => !this.refuse.has(f)),
    );
  }

  close(mode: CloseMode = 'clean'): Promise<void> {
    this.closes++;
    this.closeModes.push(mode);
    this.handler.onDisconnected(undefined);
    return Promise.resolve();
  }

  /** The broker delivers a message to the device. */
  deliver(topic: string, body: unknown): void {
    this.handler.onMessage(topic, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
  }

  lastOn(topic: string): unknown {
    const p = [...this.published].reverse().find((m) => m.topic === topic);
    return p === undefined ? undefined : (JSON.parse(p.payload) as unknown);
  }

  countOn(topic: string): number {
    return this.published.filter((m) => m.topic === topic).length;
  }
}

export class FakeConnectionFactory implements ConnectionFactory {
  readonly connections = new Map<string, FakeConnection>();

  create(options: ConnectionOptions, handler: ConnectionHandler): DeviceConnection {
    const c = new FakeConnection(options, handler);
    this.connections.set(options.clientId, c);
    return c;
  }

  get(clientId: string): FakeConnection {
    const c = this.connections.get(clientId);
    if (!c) throw new Error(`no connection for ${clientId}`);
    return c;
  }
}
