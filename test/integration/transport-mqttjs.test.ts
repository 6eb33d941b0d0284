import { createServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mqttJsFactory } from '../../src/transport/mqttjs.js';

/** A TCP peer that accepts every CONNECT (CONNACK 0) and then acknowledges nothing: an overloaded broker. */
let server: Server;
let url: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.push(socket);
    let greeted = false;
    socket.on('data', () => {
      if (greeted) return;
      greeted = true;
      socket.write(Buffer.from([0x20, 0x02, 0x00, 0x00]));
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

describe('MQTT.js transport', () => {
  it('closes within a bounded time even when the broker never acknowledges in-flight QoS 1 publishes', async () => {
    const events: string[] = [];
    const conn = mqttJsFactory({ url }).create(
      { clientId: 'stuck-1', keepaliveSec: 60 },
      { onConnected: () => events.push('connected'), onDisconnected: () => events.push('disconnected'), onMessage: () => undefined },
    );
    conn.open();
    await new Promise<void>((resolve) => {
      const check = (): void => void (events.includes('connected') ? resolve() : setTimeout(check, 10));
      check();
    });
    conn.publish('$aws/things/stuck-1/shadow/update', '{"state":{}}', 1);
    // Resolves by itself (a hang fails the test by its timeout), reporting the disconnect once.
    await conn.close();
    expect(events).toEqual(['connected', 'disconnected']);
  }, 15_000);
});
