/**
 * Baseline worker thread: bare MQTT.js clients logged in as the fleet's things, with the options
 * acfleet's transport uses (src/transport/mqttjs.ts), connected with the same per-worker
 * concurrency as FleetPool. On request they publish telemetry-like JSON as fast as the sockets take it.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MessagePort } from 'node:worker_threads';
import mqtt, { type MqttClient } from 'mqtt';
import type { BareToMain, BareWorkerData, MainToBare } from './bare-protocol.js';
import type { BenchIdentity } from './identities.js';
import type { ThreadTask } from './thread.js';
import { nowMs } from './time.js';

interface Slot {
  id: BenchIdentity;
  client: MqttClient | undefined;
  online: boolean;
  /** A publish is waiting for its socket to drain: skip this client until it has. */
  busy: boolean;
  done: () => void;
}

/** The thread's one task: runs until the bench says stop. */
export default function run({ data, port }: ThreadTask<BareWorkerData>): Promise<void> {
  const send = (m: BareToMain): void => port.postMessage(m);
  const slots: Slot[] = data.identities.map((id) => {
    const s: Slot = { id, client: undefined, online: false, busy: false, done: () => (s.busy = false) };
    return s;
  });
  const state = { dropped: 0 };
  connectAll(data, slots, send, state);
  return new Promise((resolve) => {
    port.on('message', (m: MainToBare) => {
      if (m.type === 'publish') publishUntil(m.untilMs, slots, send, state);
      else if (m.type === 'stop') void stopAll(slots, send, port).then(resolve);
    });
  });
}

type Send = (m: BareToMain) => void;

function connectAll(data: BareWorkerData, slots: Slot[], send: Send, state: { dropped: number }): void {
  const n = slots.length;
  const latencies = new Float64Array(n);
  let next = 0;
  let inFlight = 0;
  let connected = 0;
  let failed = 0;
  let firstAtMs = 0;
  let lastAtMs = 0;
  let lastError: string | undefined;
  const report = (): void =>
    send({ type: 'connected', connected, failed, firstAtMs, lastAtMs, latenciesMs: latencies.subarray(0, connected), lastError });
  const launch = (): void => {
    while (inFlight < data.maxInFlight && next < n) {
      const slot = slots[next++] as Slot;
      inFlight++;
      const started = nowMs();
      let settled = false;
      const settle = (ok: boolean): void => {
        if (settled) return;
        settled = true;
        inFlight--;
        if (ok) {
          lastAtMs = nowMs();
          if (connected === 0) firstAtMs = lastAtMs;
          latencies[connected++] = lastAtMs - started;
          slot.online = true;
        } else {
          failed++;
        }
        if (connected + failed === n) report();
        else launch();
      };
      const c = mqtt.connect(data.url, {
        clientId: slot.id.thingName,
        username: slot.id.thingName,
        password: slot.id.password,
        keepalive: data.keepaliveSec,
        clean: true,
        protocolVersion: 4,
        reconnectPeriod: 0,
        resubscribe: false,
        connectTimeout: 30_000,
      });
      slot.client = c;
      c.once('connect', () => settle(true));
      c.on('error', (e) => (lastError = e.message));
      c.on('close', () => {
        if (!settled) return settle(false);
        if (slot.online) state.dropped++;
        slot.online = false;
      });
    }
  };
  if (n === 0) report();
  else launch();
}

/** Round-robin over the clients: each publishes once per round unless its socket is still draining. */
function publishUntil(untilMs: number, slots: Slot[], send: Send, state: { dropped: number }): void {
  let count = 0;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const p99s: number[] = [];
  const sampler = setInterval(() => {
    p99s.push(loop.percentile(99) / 1e6);
    loop.reset();
  }, 1000);
  const round = (): void => {
    const now = nowMs();
    if (now >= untilMs) {
      clearInterval(sampler);
      loop.disable();
      send({ type: 'published', count, dropped: state.dropped, loopP99Ms: p99s });
      return;
    }
    const timestamp = Math.floor(now / 1000);
    for (const s of slots) {
      if (s.busy || !s.online || !s.client) continue;
      // The same fields and sizes as a device's telemetry (src/device/telemetry.ts).
      const payload = JSON.stringify({
        temp: Math.round((20 + Math.random() * 10) * 100) / 100,
        humid: Math.round(Math.random() * 10_000) / 100,
        tempUnit: s.id.tempUnit,
        thingName: s.id.thingName,
        location: s.id.location,
        timestamp,
      });
      s.busy = true;
      s.client.publish(s.id.telemetryTopic, payload, { qos: 0 }, s.done);
      count++;
    }
    setImmediate(round);
  };
  round();
}

async function stopAll(slots: Slot[], send: Send, port: MessagePort): Promise<void> {
  await Promise.all(
    slots.map((s) => (s.client ? new Promise<void>((resolve) => s.client?.end(true, {}, () => resolve())) : Promise.resolve())),
  );
  send({ type: 'stopped' });
  port.close();
}

