/**
 * A piscina worker: one long-lived task that runs a slice of the fleet until told to stop.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ScaledClock } from '../core/clock.js';
import { createLogger } from '../core/log.js';
import { mulberry32 } from '../core/random.js';
import type { ConnectionFactory } from '../transport/connection.js';
import { mqttJsFactory } from '../transport/mqttjs.js';
import { awsCrtFactory } from '../transport/aws-sdk-v2.js';
import { buildThermostats, groupRuntimes, swapFaults } from './build-devices.js';
import { createDeviceContext } from './device-context.js';
import type { MainToWorker, TransportSpec, WorkerResult, WorkerTask, WorkerToMain } from './protocol.js';

async function connectionFactory(t: TransportSpec): Promise<ConnectionFactory> {
  if (t.kind === 'mqttjs') return mqttJsFactory({ url: t.url });
  return awsCrtFactory(t.target);
}

export default async function runSlice(task: WorkerTask): Promise<WorkerResult> {
  const { port, workerIndex } = task;
  try {
    const clock = new ScaledClock(task.clockEpoch);
    // Stats are operational, reported in wall time whatever the simulation speed.
    const wall = new ScaledClock(1);
    const log = createLogger(task.logLevel, `fleet-worker-${workerIndex}`);
    const { ctx, scheduler: timers } = createDeviceContext(task.config, {
      clock,
      connections: await connectionFactory(task.transport),
      log,
      maxConcurrentConnects: task.maxConcurrentConnects,
      random: mulberry32(task.config.seed ^ (workerIndex * 0x9e3779b1)),
      deviceSecret: task.deviceSecret,
    });
    const counters = ctx.counters;
    // Kept: a change of faults swaps the object each group's devices read.
    const runtimes = groupRuntimes(task.config, task.faults);
    const devices = buildThermostats(task.config, task.slots, ctx, runtimes);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const report = (): void => {
      const msg: WorkerToMain = {
        type: 'stats',
        stats: {
          workerIndex,
          devices: devices.length,
          counters: { ...counters },
          eventLoopP99Ms: loop.percentile(99) / 1e6,
          heapUsedBytes: process.memoryUsage().heapUsed,
        },
      };
      loop.reset();
      port.postMessage(msg);
    };
    const statsTimer = wall.setInterval(report, task.statsIntervalMs);
    for (const d of devices) d.start();
    report();

    await new Promise<void>((resolve) => {
      port.on('message', (m: MainToWorker) => {
        if (m.type === 'stop') resolve();
        else if (m.type === 'faults') {
          const groups = swapFaults(runtimes, m.faults, task.config.seed);
          const ack: WorkerToMain = { type: 'faults-applied', workerIndex, revision: m.revision, groups };
          port.postMessage(ack);
        }
      });
    });

    wall.clearInterval(statsTimer);
    timers.stop();
    await Promise.all(devices.map((d) => d.stop()));
    report();
    loop.disable();
    // Logs go out asynchronously; a worker that returns without flushing loses its last lines.
    log.flush();
    port.close();
    return { ok: true, workerIndex, counters: { ...counters } };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    port.close();
    return { ok: false, workerIndex, error: { code: (error as { code?: string }).code ?? 'ACFLEET_WORKER_FAILED', message: error.stack ?? error.message } };
  }
}
