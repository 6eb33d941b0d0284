import type { FleetConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { newCounters, type DeviceContext } from '../device/context.js';
import type { ConnectionFactory } from '../transport/connection.js';
import { FifoConnectGate } from './connect-gate.js';
import { WorkerScheduler } from './scheduler.js';

export interface DeviceContextParts {
  clock: Clock;
  connections: ConnectionFactory;
  log: Logger;
  /** Handshakes in flight at once. */
  maxConcurrentConnects: number;
  random: () => number;
  deviceSecret: string | null;
}

/** What one fleet worker's devices share: the fleet's settings, one scheduler, one connect gate. */
export function createDeviceContext(config: FleetConfig, parts: DeviceContextParts): { ctx: DeviceContext; scheduler: WorkerScheduler } {
  const scheduler = new WorkerScheduler(parts.clock);
  const ctx: DeviceContext = {
    clock: parts.clock,
    timers: scheduler,
    gate: new FifoConnectGate(parts.maxConcurrentConnects),
    connections: parts.connections,
    log: parts.log,
    counters: newCounters(),
    random: parts.random,
    telemetry: { intervalMs: config.telemetry.interval, qos: config.telemetry.qos, topicTemplate: config.telemetry.topic },
    device: {
      keepaliveMs: config.device.keepalive,
      reconnectMinMs: config.device.reconnectMin,
      reconnectMaxMs: config.device.reconnectMax,
      jobStepMs: config.device.jobStepDuration,
      bootMs: config.device.bootTime,
    },
    deviceSecret: parts.deviceSecret,
  };
  return { ctx, scheduler };
}
