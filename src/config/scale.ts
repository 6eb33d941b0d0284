import { mergeFaults, type FaultsPatch } from './faults.js';
import type { FleetConfig } from './schema.js';

/**
 * Scales every group's count so they add up to `total`, keeping the proportions (largest remainder),
 * and never dropping a non-empty group to zero while there are devices to give it.
 */
export function scaleGroupCounts(counts: readonly number[], total: number): number[] {
  let sum = counts.reduce((a, b) => a + b, 0);
  if (total === sum) return [...counts];
  // Every group empty: share the devices equally.
  const weights = sum === 0 ? counts.map(() => 1) : counts;
  if (sum === 0) sum = weights.length;
  if (sum === 0) return [];
  const exact = weights.map((c) => (c * total) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    out[i] = (out[i] ?? 0) + 1;
    left--;
  }
  // Keep every non-empty group represented when there are enough devices, taking from the largest.
  for (let i = 0; i < out.length; i++) {
    if ((weights[i] ?? 0) > 0 && out[i] === 0) {
      let donor = -1;
      for (let j = 0; j < out.length; j++) if ((out[j] ?? 0) > 1 && (donor < 0 || (out[j] ?? 0) > (out[donor] ?? 0))) donor = j;
      if (donor < 0) break;
      out[donor] = (out[donor] ?? 0) - 1;
      out[i] = 1;
    }
  }
  return out;
}

export interface ConfigOverrides {
  devices?: number | undefined;
  speed?: number | undefined;
  seed?: number | undefined;
  mqttPort?: number | undefined;
  httpPort?: number | undefined;
  host?: string | undefined;
  brokerUrl?: string | undefined;
  /** Set on every group, over what fleet.yaml says at the top level and per group. */
  faults?: FaultsPatch | undefined;
}

/** CLI flags win over fleet.yaml. Returns a new config; the input is not changed. */
export function applyOverrides(config: FleetConfig, o: ConfigOverrides): FleetConfig {
  const next: FleetConfig = structuredClone(config);
  if (o.seed !== undefined) next.seed = o.seed;
  if (o.speed !== undefined) next.speed = o.speed;
  if (o.devices !== undefined) {
    const counts = scaleGroupCounts(next.groups.map((g) => g.count), o.devices);
    next.groups.forEach((g, i) => (g.count = counts[i] ?? 0));
  }
  if (o.brokerUrl !== undefined) {
    // Keep an external broker's login when only its URL changes.
    const login = next.broker.type === 'external' ? { username: next.broker.username, password: next.broker.password } : {};
    next.broker = { type: 'external', url: o.brokerUrl, deviceSecret: next.broker.deviceSecret, ...login };
  }
  if (next.broker.type === 'embedded') {
    if (o.mqttPort !== undefined) next.broker.port = o.mqttPort;
    if (o.host !== undefined) next.broker.host = o.host;
  }
  if (o.faults !== undefined) {
    next.faults = mergeFaults(next.faults, o.faults);
    for (const g of next.groups) if (g.faults) g.faults = mergeFaults(g.faults, o.faults);
  }
  if (o.httpPort !== undefined) next.http.port = o.httpPort;
  if (o.host !== undefined) next.http.host = o.host;
  return next;
}
