/**
 * Child process for step 2: N devices in ONE thread, either bare MQTT.js clients with the
 * device's three shadow subscriptions or acfleet Thermostats (built as src/fleet/worker.ts builds
 * them), and the process's memory growth per device once all are online and synced.
 * Run with --expose-gc; reports over IPC.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { shardSlots } from '../../src/fleet/shard.js';
import { ScaledClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { mulberry32 } from '../../src/core/random.js';
import type { Thermostat } from '../../src/device/thermostat.js';
import { buildThermostats } from '../../src/fleet/build-devices.js';
import { createDeviceContext } from '../../src/fleet/device-context.js';
import { mqttJsFactory } from '../../src/transport/mqttjs.js';
import { benchFleetConfig } from './fleet-config.js';
import { benchIdentities } from './identities.js';
import { DEVICE_SECRET_ENV, type MemoryChildArgs, type MemoryChildMessage, type MemoryReading } from './memory-protocol.js';
import { nowMs, sleep, waitForCount, within } from './time.js';
import { runChildMain } from './child.js';

const args = JSON.parse(process.argv[2] ?? '{}') as MemoryChildArgs;
const secret = process.env[DEVICE_SECRET_ENV] ?? '';
const send = (m: MemoryChildMessage): void => {
  process.send?.(m);
};

/** Several passes: a single gc() can leave garbage that a later pass frees. */
async function settledMemory(): Promise<MemoryReading> {
  const gc = globalThis.gc;
  if (!gc) throw new Error('memory-child.ts needs --expose-gc');
  for (let i = 0; i < 4; i++) {
    gc();
    await sleep(100);
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
}

interface Running {
  online(): number;
  ready(): number;
  stop(): Promise<void>;
}

/** acfleet: a DeviceContext exactly like a fleet worker's, in this thread. */
function runAcfleet(): Running {
  const config = benchFleetConfig({ devices: args.devices });
  const { ctx, scheduler: timers } = createDeviceContext(config, {
    clock: new ScaledClock(1),
    connections: mqttJsFactory({ url: args.url }),
    log: silentLogger(),
    maxConcurrentConnects: args.maxInFlight,
    random: mulberry32(config.seed),
    deviceSecret: secret,
  });
  const counters = ctx.counters;
  const devices: Thermostat[] = buildThermostats(config, shardSlots(config), ctx);
  for (const d of devices) d.start();
  return {
    online: () => counters.online,
    // The first message each device receives is the answer to its shadow get.
    ready: () => Math.min(counters.online, counters.received),
    stop: async () => {
      timers.stop();
      await Promise.all(devices.map((d) => d.stop()));
    },
  };
}

/** bare: MQTT.js clients with acfleet's options and the device's three shadow subscriptions. */
function runBare(): Running {
  const ids = benchIdentities(benchFleetConfig({ devices: args.devices }), secret);
  const clients: MqttClient[] = [];
  let next = 0;
  let inFlight = 0;
  let online = 0;
  let subscribed = 0;
  const launch = (): void => {
    while (inFlight < args.maxInFlight && next < ids.length) {
      const id = ids[next++];
      if (!id) break;
      inFlight++;
      let settled = false;
      const settle = (): void => {
        if (settled) return;
        settled = true;
        inFlight--;
        launch();
      };
      const c = mqtt.connect(args.url, {
        clientId: id.thingName,
        username: id.thingName,
        password: id.password,
        keepalive: 60,
        clean: true,
        protocolVersion: 4,
        reconnectPeriod: 0,
        resubscribe: false,
        connectTimeout: 30_000,
      });
      clients.push(c);
      c.on('error', () => undefined);
      c.once('close', settle);
      c.once('connect', () => {
        online++;
        settle();
        const p = `$aws/things/${id.thingName}/shadow`;
        c.subscribe([`${p}/get/+`, `${p}/update/delta`, `${p}/update/rejected`], { qos: 1 }, (e) => {
          if (!e) subscribed++;
        });
      });
    }
  };
  launch();
  return {
    online: () => online,
    ready: () => subscribed,
    stop: async () => {
      await Promise.all(clients.map((c) => new Promise<void>((resolve) => c.end(true, {}, () => resolve()))));
    },
  };
}

async function main(): Promise<void> {
  const before = await settledMemory();
  const startedAt = nowMs();
  const running = args.mode === 'acfleet' ? runAcfleet() : runBare();
  try {
    // Bounded, and cut short when readiness stops growing (e.g. shadow requests a broker dropped).
    await waitForCount(() => running.ready(), args.devices, { timeoutMs: args.timeoutMs, stallMs: 5_000, pollMs: 20 });
    const readyMs = nowMs() - startedAt;
    // Let in-flight shadow reports and their PUBACKs finish before reading.
    await sleep(1500);
    const after = await settledMemory();
    send({ type: 'result', mode: args.mode, devices: args.devices, online: running.online(), ready: running.ready(), readyMs, before, after });
  } finally {
    await within(running.stop(), 30_000);
  }
}

runChildMain(main, send);
