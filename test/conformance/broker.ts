/**
 * What every broker acfleet runs on must do, written once and run against each (as aedes runs
 * one persistence suite against every backend): the fleet's telemetry, the shadow round trip,
 * and the per-device authorization rules of spec §9.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { devicePassword } from '../../src/core/device-password.js';
import { FleetPool } from '../../src/fleet/pool.js';
import type { BrokerFactory, BrokerUnderTest } from '../helpers/brokers.js';
import { testFleetConfig } from '../helpers/fleet-config.js';
import { connectClient, eventually, nextMessage, subscribeCodes } from '../helpers/mqtt.js';

const FLEET_DEVICES = 50;
/** Registered with the cloud but not run by the fleet: the tests log in as these. */
const SPARE_A = 'Alpha-00031';
const SPARE_B = 'Alpha-00032';

const quietly = async (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function brokerConformance(factory: BrokerFactory): void {
  let b: BrokerUnderTest;
  let pool: FleetPool;
  let operator: MqttClient;
  const extraClients: MqttClient[] = [];

  const asDevice = async (thing: string, password = devicePassword(b.deviceSecret, thing)): Promise<MqttClient> => {
    const c = await connectClient(b.mqttUrl, { clientId: thing, username: thing, password });
    extraClients.push(c);
    return c;
  };

  const shadowGet = async (thing: string): Promise<Record<string, unknown>> => {
    const token = `get-${Math.random().toString(36).slice(2)}`;
    const reply = nextMessage(operator, (t, p) => t.startsWith(`$aws/things/${thing}/shadow/get/`) && p.toString().includes(token));
    operator.publish(`$aws/things/${thing}/shadow/get`, JSON.stringify({ clientToken: token }));
    return (await reply).json;
  };

  beforeAll(async () => {
    b = await factory(testFleetConfig({ alpha: 32, beta: 20 }));
    const fleetConfig = testFleetConfig({ alpha: 30, beta: 20 });
    pool = FleetPool.start({
      config: fleetConfig,
      brokerUrl: b.mqttUrl,
      deviceSecret: b.deviceSecret,
      clockEpoch: b.cloud.clockEpoch,
      workers: 2,
      logLevel: 'silent',
      statsIntervalMs: 100,
    });
    operator = await connectClient(b.mqttUrl, { clientId: 'conformance-operator' });
    await operator.subscribeAsync(['$aws/things/+/shadow/#', 'dt/acfleet/#']);
    await eventually(() => (pool.stats().counters.online === FLEET_DEVICES ? true : undefined), `${FLEET_DEVICES} devices online`, 30_000);
  });

  afterAll(async () => {
    for (const c of [...extraClients, operator]) await c?.endAsync(true).catch(() => undefined);
    await pool?.stop();
    await b?.stop();
  });

  it('runs 50 devices that publish telemetry with the workshop fields, each in its unit', async () => {
    const seen = new Map<string, Record<string, unknown>>();
    const onMsg = (topic: string, payload: Buffer): void => {
      if (topic.startsWith('dt/acfleet/')) seen.set(topic, JSON.parse(payload.toString()) as Record<string, unknown>);
    };
    operator.on('message', onMsg);
    await eventually(() => (seen.size >= FLEET_DEVICES ? true : undefined), 'telemetry from every device', 20_000);
    operator.off('message', onMsg);
    expect(seen.size).toBe(FLEET_DEVICES);
    const nowSec = b.cloud.clock.now() / 1000;
    for (const [topic, m] of seen) {
      const [, , location, thingName, last] = topic.split('/');
      expect(last).toBe('telemetry');
      expect(m).toMatchObject({ thingName, location });
      expect(Object.keys(m).sort()).toEqual(['humid', 'location', 'temp', 'tempUnit', 'thingName', 'timestamp']);
      const fahrenheit = String(thingName).startsWith('Alpha');
      expect(m.tempUnit).toBe(fahrenheit ? 'fahrenheit' : 'celsius');
      expect(location).toBe(fahrenheit ? 'sao-paulo' : 'london');
      const temp = m.temp as number;
      if (fahrenheit) expect(temp).toBeGreaterThan(45);
      else expect(temp).toBeLessThan(35);
      expect(Math.round(temp * 100) / 100).toBe(temp);
      expect(m.humid as number).toBeGreaterThanOrEqual(0);
      expect(m.humid as number).toBeLessThanOrEqual(100);
      expect(Number.isInteger(m.timestamp)).toBe(true);
      expect(Math.abs((m.timestamp as number) - nowSec)).toBeLessThan(600);
    }
  });

  it('lets an operator set a desired ledColor that the device applies and reports, clearing the delta', async () => {
    const thing = 'Alpha-00003';
    const before = await eventually(async () => {
      const doc = await shadowGet(thing);
      return typeof doc.version === 'number' ? doc : undefined;
    }, 'the device to create its shadow');
    expect((before.state as { reported: { ledColor: string } }).reported.ledColor).toBe('red');

    const accepted = nextMessage(operator, (t, p) => t === `$aws/things/${thing}/shadow/update/accepted` && p.toString().includes('"op-1"'));
    const delta = nextMessage(operator, (t) => t === `$aws/things/${thing}/shadow/update/delta`);
    operator.publish(`$aws/things/${thing}/shadow/update`, JSON.stringify({ state: { desired: { ledColor: 'green' } }, clientToken: 'op-1' }), { qos: 1 });
    const acc = (await accepted).json;
    expect(acc.clientToken).toBe('op-1');
    expect(acc.version as number).toBeGreaterThan(before.version as number);
    expect((await delta).json.state).toEqual({ ledColor: 'green' });

    const after = await eventually(async () => {
      const doc = await shadowGet(thing);
      const state = doc.state as { reported?: { ledColor?: string }; delta?: unknown };
      return state.reported?.ledColor === 'green' && state.delta === undefined ? doc : undefined;
    }, 'the device to report ledColor green');
    expect(after.version as number).toBeGreaterThan(acc.version as number);
    expect((after.state as { desired: unknown }).desired).toEqual({ ledColor: 'green' });
  });

  it('answers malformed JSON on shadow/update with a 400 rejection and keeps serving', async () => {
    const thing = 'Alpha-00004';
    const topic = `$aws/things/${thing}/shadow/update`;
    const rejected = nextMessage(operator, (t, p) => t === `${topic}/rejected` && p.toString().includes('Invalid JSON'));
    operator.publish(topic, '{"state": {"desired": ');
    expect((await rejected).json).toMatchObject({ code: 400, message: 'Invalid JSON' });

    const rejected2 = nextMessage(operator, (t, p) => t === `${topic}/rejected` && p.toString().includes('bad-1'));
    operator.publish(topic, JSON.stringify({ state: 5, clientToken: 'bad-1' }));
    expect((await rejected2).json).toMatchObject({ code: 400, clientToken: 'bad-1' });

    const accepted = nextMessage(operator, (t, p) => t === `${topic}/accepted` && p.toString().includes('good-1'));
    operator.publish(topic, JSON.stringify({ state: { desired: { setpoint: 23 } }, clientToken: 'good-1' }));
    expect((await accepted).json.clientToken).toBe('good-1');
  });

  it('refuses a registered thing that logs in with a wrong password, or none', async () => {
    await expect(connectClient(b.mqttUrl, { clientId: SPARE_A, username: SPARE_A, password: 'wrong' })).rejects.toThrow();
    await expect(connectClient(b.mqttUrl, { clientId: SPARE_A, username: SPARE_A, password: devicePassword('another-secret', SPARE_A) })).rejects.toThrow();
  });

  it("never delivers another device's shadow messages or telemetry to a device", async () => {
    const intruder = await asDevice(SPARE_A);
    const received: string[] = [];
    intruder.on('message', (t) => received.push(t));
    expect(await subscribeCodes(intruder, [`$aws/things/${SPARE_A}/shadow/#`])).toEqual([1]);
    const foreignCodes = await subscribeCodes(intruder, ['$aws/things/Alpha-00001/shadow/#', '$aws/things/+/shadow/update/accepted', 'dt/acfleet/#']);
    // aedes refuses at SUBACK; mosquitto's acl_file grants the filter and filters each delivery instead.
    if (b.kind === 'aedes') expect(foreignCodes).toEqual([128, 128, 128]);
    // Positive control: its own shadow topics do reach it.
    const own = nextMessage(intruder, (t) => t === `$aws/things/${SPARE_A}/shadow/get/rejected`);
    intruder.publish(`$aws/things/${SPARE_A}/shadow/get`, '{}');
    await own;
    const foreign = nextMessage(operator, (t) => t === '$aws/things/Alpha-00001/shadow/update/accepted');
    operator.publish('$aws/things/Alpha-00001/shadow/update', JSON.stringify({ state: { desired: { setpoint: 24 } } }));
    await foreign;
    await quietly(1500);
    expect(received.filter((t) => !t.startsWith(`$aws/things/${SPARE_A}/`))).toEqual([]);
  });

  it("drops a device's publish on another device's topics and its forged service replies", async () => {
    const intruder = await asDevice(SPARE_B);
    const seen: string[] = [];
    const watch = (t: string): void => void (t.includes('purple') || t === `$aws/things/${SPARE_B}/shadow/update/accepted` ? seen.push(t) : undefined);
    const onMsg = (t: string, p: Buffer): void => watch(p.toString().includes('purple') ? 'purple' : t);
    operator.on('message', onMsg);
    intruder.publish('$aws/things/Alpha-00002/shadow/update', JSON.stringify({ state: { desired: { ledColor: 'purple' } } }));
    intruder.publish(`$aws/things/${SPARE_B}/shadow/update/accepted`, JSON.stringify({ state: { desired: { ledColor: 'purple' } }, version: 99 }));
    await quietly(1500);
    operator.off('message', onMsg);
    expect(seen).toEqual([]);
    const doc = await shadowGet('Alpha-00002');
    expect(JSON.stringify(doc)).not.toContain('purple');
  });

  it('keeps operators from forging service replies', async () => {
    const forger = await connectClient(b.mqttUrl, { clientId: 'conformance-forger' });
    extraClients.push(forger);
    const seen: string[] = [];
    const onMsg = (t: string): void => void (t === '$aws/things/Alpha-00005/shadow/update/delta' ? seen.push(t) : undefined);
    operator.on('message', onMsg);
    forger.publish('$aws/things/Alpha-00005/shadow/update/delta', JSON.stringify({ state: { ledColor: 'purple' }, version: 1000 }));
    await quietly(1500);
    operator.off('message', onMsg);
    expect(seen).toEqual([]);
  });
}
