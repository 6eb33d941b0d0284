/** The bench's fleet: two cities (°F and °C devices), scaled to any device count. */
import { availableParallelism } from 'node:os';
import { validateConfig } from '../../src/config/load.js';
import { scaleGroupCounts } from '../../src/config/scale.js';
import type { FleetConfig } from '../../src/config/schema.js';

export interface BenchFleetOptions {
  devices: number;
  /** Simulation speed; the telemetry step raises it to push the offered load past what 2 cores carry. */
  speed?: number;
  /** Simulated telemetry interval, e.g. "10s". */
  interval?: string;
}

export function benchFleetConfig(o: BenchFleetOptions): FleetConfig {
  const [alpha = 0, beta = 0] = scaleGroupCounts([3, 2], o.devices);
  return validateConfig({
    seed: 7,
    speed: o.speed ?? 1,
    broker: { type: 'embedded', host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    telemetry: { interval: o.interval ?? '10s' },
    groups: [
      {
        name: 'Alpha',
        count: alpha,
        location: { city: 'São Paulo', country: 'BR', lat: -23.55, lon: -46.63, climate: { meanTemp: 21, dailySwing: 9, humidity: 78 } },
        initialState: { ledColor: 'red', tempUnit: 'fahrenheit', setpoint: 22, power: 'on' },
      },
      {
        name: 'Beta',
        count: beta,
        location: { city: 'London', country: 'GB', lat: 51.5, lon: -0.12, climate: { meanTemp: 10, dailySwing: 6, humidity: 80 } },
        initialState: { ledColor: 'red', tempUnit: 'celsius', setpoint: 21, power: 'off' },
      },
    ],
  });
}

/** FleetPool's own rule (src/fleet/pool.ts): one worker per core, never more than one per 50 devices. */
export const fleetWorkerCount = (devices: number): number => Math.max(1, Math.min(availableParallelism(), Math.ceil(devices / 50)));

/** FleetPool's default handshakes in flight per worker; baselines use the same. */
export const CONNECTS_IN_FLIGHT = 256;
