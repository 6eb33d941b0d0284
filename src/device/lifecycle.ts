/** One state per device instead of boolean flags. */
export const DeviceState = {
  Offline: 0,
  Connecting: 1,
  Online: 2,
  Disconnecting: 3,
  /** Going down to come back after its boot time (a reboot, or a crash). */
  Restarting: 4,
} as const;
export type DeviceState = (typeof DeviceState)[keyof typeof DeviceState];

/**
 * Exponential backoff with "equal jitter": half the capped exponential delay is fixed, the other
 * half random, so a fleet that lost its broker does not come back in lockstep.
 */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: number): number {
  const capped = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return capped / 2 + random * (capped / 2);
}
