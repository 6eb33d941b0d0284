/** The bench's fleet: the tests' two cities (°F and °C devices), scaled to any device count. */
import { scaleGroupCounts } from '../../src/config/scale.js';
import type { FleetConfig } from '../../src/config/schema.js';
import { testFleetConfig } from '../../test/helpers/fleet-config.js';

export { DEFAULT_CONNECTS_IN_FLIGHT as CONNECTS_IN_FLIGHT, defaultWorkerCount as fleetWorkerCount } from '../../src/fleet/pool.js';

export interface BenchFleetOptions {
  devices: number;
  /** Simulation speed; the telemetry step raises it to push the offered load past what 2 cores carry. */
  speed?: number;
  /** Simulated telemetry interval, e.g. "10s". */
  interval?: string;
}

export function benchFleetConfig(o: BenchFleetOptions): FleetConfig {
  const [alpha = 0, beta = 0] = scaleGroupCounts([3, 2], o.devices);
  return testFleetConfig({ alpha, beta, speed: o.speed ?? 1, interval: o.interval });
}
