import { beforeEach, describe, expect, it } from 'vitest';
import { devicePassword } from '../../src/core/device-password.js';
import { DeviceState } from '../../src/device/lifecycle.js';
import { RIG_THING, RIG_TELEMETRY_INTERVAL, thermostatRig, type ThermostatRig } from '../helpers/thermostat-rig.js';

const THING = RIG_THING;
const S = `$aws/things/${THING}/shadow`;
const TELEMETRY = `dt/acfleet/sao-paulo/${THING}/telemetry`;
const INTERVAL = RIG_TELEMETRY_INTERVAL;

type Rig = ThermostatRig;

const rig = thermostatRig;

/** Connects the device and answers its shadow get with `getReply` (default: no shadow yet). */
function connect(r: Rig, getReply: { topic: string; body: unknown } = { topic: `${S}/get/rejected`, body: { code: 404, message: 'No shadow exists' } }): void {
  r.device.start();
  r.conn.handler.onConnected();
  r.conn.deliver(getReply.topic, getReply.body);
}

describe('Thermostat', () => {
  let r: Rig;
  beforeEach(() => {
    r = rig();
  });

  it('logs in as its thing with its HMAC password', () => {
    expect(r.conn.options.clientId).toBe(THING);
    expect(r.conn.options.username).toBe(THING);
    expect(r.conn.options.password).toBe(devicePassword('a-test-secret-of-some-length', THING));
  });

  it('on connect subscribes to its own shadow and jobs topics, then asks for its shadow and its next job', () => {
    r.device.start();
    expect(r.device.state).toBe(DeviceState.Connecting);
    expect(r.conn.opens).toBe(1);
    r.conn.handler.onConnected();
    expect(r.device.state).toBe(DeviceState.Online);
    const J = `$aws/things/${THING}/jobs`;
    expect(r.conn.subscriptions).toEqual([`${S}/get/+`, `${S}/update/delta`, `${S}/update/rejected`, `${J}/notify-next`, `${J}/start-next/+`, `${J}/+/update/+`]);
    expect(r.conn.lastOn(`${S}/get`)).toEqual({});
    expect(r.conn.countOn(`${J}/start-next`)).toBe(1);
  });

  it('creates its shadow with its full reported state when none exists', () => {
    connect(r);
    expect(r.ctx.counters.shadowSyncs).toBe(1);
    expect(r.conn.lastOn(`${S}/update`)).toEqual({
      state: { reported: { ledColor: 'red', tempUnit: 'fahrenheit', setpoint: 22, power: 'on', firmwareVersion: '1.1.0' } },
    });
  });

  it('restores reported settings from an existing shadow and applies its delta', () => {
    connect(r, {
      topic: `${S}/get/accepted`,
      body: { state: { reported: { ledColor: 'green', setpoint: 24 }, desired: { tempUnit: 'celsius' }, delta: { tempUnit: 'celsius' } }, version: 7 },
    });
    expect(r.device.settings).toEqual({ ledColor: 'green', tempUnit: 'celsius', setpoint: 24, power: 'on' });
    expect(r.conn.lastOn(`${S}/update`)).toEqual({ state: { reported: { ledColor: 'green', tempUnit: 'celsius', setpoint: 24, power: 'on', firmwareVersion: '1.1.0' } } });
  });

  it('keeps the firmware a job installed before the fleet restarted', () => {
    connect(r, { topic: `${S}/get/accepted`, body: { state: { reported: { ledColor: 'red', firmwareVersion: '2.1.0' } }, version: 3 } });
    expect(r.device.firmwareVersion).toBe('2.1.0');
    expect(r.conn.lastOn(`${S}/update`)).toMatchObject({ state: { reported: { firmwareVersion: '2.1.0' } } });
  });

  it('applies a delta and reports only what changed, so the delta clears', () => {
    connect(r);
    r.conn.deliver(`${S}/update/delta`, { state: { ledColor: 'blue' }, version: 5 });
    expect(r.device.settings.ledColor).toBe('blue');
    expect(r.conn.lastOn(`${S}/update`)).toEqual({ state: { reported: { ledColor: 'blue' } } });
    expect(r.ctx.counters.desiredApplied).toBe(1);
  });

  it('leaves a value it cannot apply in the delta (not reported) and counts it', () => {
    connect(r);
    const updatesBefore = r.conn.countOn(`${S}/update`);
    r.conn.deliver(`${S}/update/delta`, { state: { ledColor: 'pink', power: 'off' }, version: 5 });
    expect(r.device.settings).toMatchObject({ ledColor: 'red', power: 'off' });
    expect(r.conn.lastOn(`${S}/update`)).toEqual({ state: { reported: { power: 'off' } } });
    expect(r.ctx.counters.desiredRefused).toBe(1);
    r.conn.deliver(`${S}/update/delta`, { state: { ledColor: 'pink' }, version: 6 });
    expect(r.conn.countOn(`${S}/update`)).toBe(updatesBefore + 1);
  });

  it('ignores a delta older than one already applied', () => {
    connect(r);
    r.conn.deliver(`${S}/update/delta`, { state: { ledColor: 'blue' }, version: 9 });
    r.conn.deliver(`${S}/update/delta`, { state: { ledColor: 'green' }, version: 8 });
    expect(r.device.settings.ledColor).toBe('blue');
  });

  it('survives malformed shadow messages', () => {
    connect(r);
    r.conn.deliver(`${S}/update/delta`, 'not json{');
    r.conn.deliver(`${S}/update/delta`, '[1,2]');
    expect(r.ctx.counters.errors).toBe(2);
    expect(r.device.state).toBe(DeviceState.Online);
  });

  it('publishes telemetry once per interval with the workshop fields, in its unit', () => {
    connect(r);
    r.clock.advance(INTERVAL * 3);
    const msgs = r.conn.published.filter((m) => m.topic === TELEMETRY).map((m) => JSON.parse(m.payload) as Record<string, unknown>);
    expect(msgs).toHaveLength(3);
    for (const m of msgs) {
      expect(Object.keys(m).sort()).toEqual(['humid', 'location', 'temp', 'tempUnit', 'thingName', 'timestamp']);
      expect(m).toMatchObject({ tempUnit: 'fahrenheit', thingName: THING, location: 'sao-paulo' });
      expect(m.temp).toBeGreaterThan(50);
      expect(Number.isInteger(m.timestamp)).toBe(true);
      expect(Math.round((m.temp as number) * 100) / 100).toBe(m.temp);
    }
    expect((msgs[1]?.timestamp as number) - (msgs[0]?.timestamp as number)).toBe(INTERVAL / 1000);
  });

  it('switches telemetry to °C when its tempUnit becomes celsius', () => {
    connect(r);
    r.clock.advance(INTERVAL);
    const f = r.conn.lastOn(TELEMETRY) as { temp: number };
    r.conn.deliver(`${S}/update/delta`, { state: { tempUnit: 'celsius' }, version: 2 });
    r.clock.advance(INTERVAL);
    const c = r.conn.lastOn(TELEMETRY) as { temp: number; tempUnit: string };
    expect(c.tempUnit).toBe('celsius');
    // Same room ten seconds later: the two readings agree through t°F = 1.8·t°C + 32, give or take noise.
    expect(Math.abs(1.8 * c.temp + 32 - f.temp)).toBeLessThan(1);
  });

  it('reconnects with backoff after losing its connection, then resubscribes and resyncs', () => {
    connect(r);
    r.conn.handler.onDisconnected('connection reset');
    expect(r.device.state).toBe(DeviceState.Offline);
    r.clock.advance(499);
    expect(r.conn.opens).toBe(1);
    r.clock.advance(501);
    expect(r.conn.opens).toBe(2);
    const getsBefore = r.conn.countOn(`${S}/get`);
    r.conn.handler.onConnected();
    expect(r.conn.subscriptions).toHaveLength(12);
    expect(r.conn.countOn(`${S}/get`)).toBe(getsBefore + 1);
    expect(r.ctx.counters.disconnects).toBe(1);
  });

  it('backs off further after each failed attempt, up to the maximum', () => {
    r.device.start();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 10; attempt++) {
      const opensBefore = r.conn.opens;
      const t0 = r.clock.now();
      r.conn.handler.onDisconnected('refused');
      while (r.conn.opens === opensBefore) r.clock.advance(100);
      delays.push(r.clock.now() - t0);
    }
    expect(delays[0]).toBeLessThanOrEqual(1_000);
    expect(delays[3]).toBeGreaterThanOrEqual(4_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(60_100);
    expect(delays[9]).toBeGreaterThanOrEqual(30_000);
    expect(r.ctx.counters.connectFailures).toBe(10);
  });

  it('stops cleanly: disconnects, keeps no timers, never reconnects', async () => {
    connect(r);
    await r.device.stop();
    expect(r.device.state).toBe(DeviceState.Offline);
    expect(r.conn.closes).toBe(1);
    expect(r.scheduler.size).toBe(0);
    r.clock.advance(10 * 60_000);
    expect(r.conn.opens).toBe(1);
    expect(r.ctx.counters.online).toBe(0);
  });

  it('keeps the fleet counters consistent through its lifecycle', () => {
    r.device.start();
    expect(r.ctx.counters).toMatchObject({ connecting: 1, online: 0 });
    r.conn.handler.onConnected();
    expect(r.ctx.counters).toMatchObject({ connecting: 0, online: 1, connects: 1 });
    r.conn.handler.onDisconnected(undefined);
    expect(r.ctx.counters).toMatchObject({ connecting: 0, online: 0 });
  });
});
