import { randomBytes } from 'node:crypto';
import { DeleteThingShadowCommand, GetThingShadowCommand, IoTDataPlaneClient, ResourceNotFoundException, UpdateThingShadowCommand, ConflictException, InvalidRequestException } from '@aws-sdk/client-iot-data-plane';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devicePassword } from '../../src/core/device-password.js';
import { silentLogger } from '../../src/core/log.js';
import { startCloudStack, type CloudStack } from '../../src/cli/stack.js';
import { testFleetConfig } from '../helpers/fleet-config.js';
import { connectClient, nextMessage } from '../helpers/mqtt.js';

let stack: CloudStack;
let http: string;
let operator: MqttClient;
let sdk: IoTDataPlaneClient;
const deviceSecret = randomBytes(16).toString('hex');

beforeAll(async () => {
  stack = await startCloudStack({ config: testFleetConfig({ alpha: 3, beta: 2 }), statePath: ':memory:', deviceSecret, log: silentLogger() });
  http = stack.api.url;
  operator = await connectClient(stack.cloud.mqttUrl, { clientId: 'http-test-operator' });
  // Unmodified AWS SDK v3, pointed at acfleet with dummy credentials.
  sdk = new IoTDataPlaneClient({ endpoint: http, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
});

afterAll(async () => {
  sdk?.destroy();
  await operator?.endAsync(true);
  await stack?.close();
});

const shadowUrl = (thing: string, name?: string): string => `${http}/things/${thing}/shadow${name ? `?name=${name}` : ''}`;

describe('HTTP API', () => {
  it('reports health and the simulation clock', async () => {
    expect(await (await fetch(`${http}/_acfleet/health`)).json()).toEqual({ status: 'ok', devices: { total: 5, online: 0 } });
    const clock = (await (await fetch(`${http}/_acfleet/clock`)).json()) as Record<string, number>;
    expect(clock.speed).toBe(10);
    expect(clock.now).toBeGreaterThanOrEqual(clock.simMs as number);
  });

  it('exposes Prometheus metrics, counting refused logins', async () => {
    await expect(connectClient(stack.cloud.mqttUrl, { clientId: 'Alpha-00001', username: 'Alpha-00001', password: 'wrong' })).rejects.toThrow();
    const text = await (await fetch(`${http}/metrics`)).text();
    expect(text).toMatch(/^acfleet_things_registered 5$/m);
    expect(text).toMatch(/^acfleet_broker_auth_failures_total 1$/m);
    expect(text).toMatch(/^acfleet_shadow_requests_total \d+$/m);
  });

  it('treats a thing registered later (no telemetry topic) as a device: it needs its password', async () => {
    expect(stack.cloud.registry.createThing('Later-Thing', {}, 0).ok).toBe(true);
    await expect(connectClient(stack.cloud.mqttUrl, { clientId: 'Later-Thing' })).rejects.toThrow();
    const device = await connectClient(stack.cloud.mqttUrl, { clientId: 'Later-Thing', username: 'Later-Thing', password: devicePassword(deviceSecret, 'Later-Thing') });
    await device.endAsync();
  });

  it('serves GetThingShadow / UpdateThingShadow / DeleteThingShadow to the AWS SDK', async () => {
    const thing = 'Alpha-00001';
    await expect(sdk.send(new GetThingShadowCommand({ thingName: thing }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const upd = await sdk.send(new UpdateThingShadowCommand({ thingName: thing, payload: new TextEncoder().encode(JSON.stringify({ state: { desired: { ledColor: 'green' } } })) }));
    const accepted = JSON.parse(new TextDecoder().decode(upd.payload)) as { version: number; state: unknown };
    expect(accepted).toMatchObject({ version: 1, state: { desired: { ledColor: 'green' } } });
    const got = await sdk.send(new GetThingShadowCommand({ thingName: thing }));
    expect(JSON.parse(new TextDecoder().decode(got.payload))).toMatchObject({ state: { desired: { ledColor: 'green' }, delta: { ledColor: 'green' } }, version: 1 });
    await expect(sdk.send(new UpdateThingShadowCommand({ thingName: thing, payload: new TextEncoder().encode('{"state":{"reported":{"a":1}},"version":7}') }))).rejects.toBeInstanceOf(ConflictException);
    await expect(sdk.send(new UpdateThingShadowCommand({ thingName: thing, payload: new TextEncoder().encode('nope') }))).rejects.toBeInstanceOf(InvalidRequestException);
    const del = await sdk.send(new DeleteThingShadowCommand({ thingName: thing }));
    expect(JSON.parse(new TextDecoder().decode(del.payload))).toMatchObject({ version: 1 });
    await expect(sdk.send(new GetThingShadowCommand({ thingName: thing }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('answers errors in AWS REST-JSON form', async () => {
    const missing = await fetch(shadowUrl('Alpha-00002'));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(((await missing.json()) as { message: string }).message).toContain('No shadow exists');
    const bad = await fetch(shadowUrl('Alpha-00002'), { method: 'POST', body: '{"state": [1]}' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-errortype')).toBe('InvalidRequestException');
    const unknown = await fetch(`${http}/no/such/route`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });

  it('publishes update/delta and update/documents over MQTT for an HTTP update, whatever the content type', async () => {
    const thing = 'Beta-00001';
    await operator.subscribeAsync(`$aws/things/${thing}/shadow/update/+`);
    const delta = nextMessage(operator, (t) => t.endsWith('/update/delta'));
    const documents = nextMessage(operator, (t) => t.endsWith('/update/documents'));
    const res = await fetch(shadowUrl(thing), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '{"state":{"desired":{"power":"off"}}}' });
    expect(res.status).toBe(200);
    expect((await delta).json.state).toEqual({ power: 'off' });
    expect((await documents).json).toMatchObject({ current: { state: { desired: { power: 'off' } }, version: 1 } });
  });

  it('keeps named shadows apart from the classic one and lists them', async () => {
    const thing = 'Alpha-00003';
    for (const name of ['firmware', 'config']) {
      const r = await fetch(shadowUrl(thing, name), { method: 'POST', body: JSON.stringify({ state: { reported: { n: name } } }) });
      expect(r.status).toBe(200);
    }
    expect((await fetch(shadowUrl(thing))).status).toBe(404);
    const list = (await (await fetch(`${http}/api/things/shadow/ListNamedShadowsForThing/${thing}?pageSize=1`)).json()) as { results: string[]; nextToken?: string };
    expect(list.results).toEqual(['config']);
    const page2 = (await (await fetch(`${http}/api/things/shadow/ListNamedShadowsForThing/${thing}?pageSize=1&nextToken=${list.nextToken ?? ''}`)).json()) as { results: string[]; nextToken?: string };
    expect(page2).toMatchObject({ results: ['firmware'] });
    expect(page2.nextToken).toBeUndefined();
  });

  it('publishes over HTTP like an operator, and refuses reserved reply topics', async () => {
    await operator.subscribeAsync('acfleet/test/http');
    const got = nextMessage(operator, (t) => t === 'acfleet/test/http');
    expect((await fetch(`${http}/topics/acfleet%2Ftest%2Fhttp?qos=1`, { method: 'POST', body: 'hello' })).status).toBe(200);
    expect((await got).payload.toString()).toBe('hello');
    const forged = await fetch(`${http}/topics/${encodeURIComponent('$aws/things/Alpha-00001/shadow/update/accepted')}`, { method: 'POST', body: '{}' });
    expect(forged.status).toBe(401);
  });

  it('speaks MQTT over WebSocket at /mqtt, as AWS IoT does', async () => {
    const ws = await connectClient(`${http.replace('http', 'ws')}/mqtt`, { clientId: 'ws-operator' });
    await ws.subscribeAsync('$aws/things/Alpha-00002/shadow/update/accepted');
    const accepted = nextMessage(ws, () => true);
    ws.publish('$aws/things/Alpha-00002/shadow/update', JSON.stringify({ state: { reported: { via: 'ws' } }, clientToken: 'ws-1' }));
    expect((await accepted).json).toMatchObject({ clientToken: 'ws-1', state: { reported: { via: 'ws' } } });
    await ws.endAsync();
  });
});
