/**
 * A fleet process follows the cloud's faults (issue 6 §2): it polls `GET /_acfleet/faults` on the
 * wall clock (operational, not simulated: a change should reach the fleet in seconds whatever
 * the speed) and hands each changed answer on.
 */
import type { FaultsByGroup } from '../config/faults.js';
import { formatIssues } from '../config/load.js';
import { faultsDocumentSchema, fromDocument } from '../cloud/fault-settings.js';

/** Wall ms between polls. */
export const FAULTS_POLL_MS = 2000;

/** The cloud's current faults per group. */
export async function fetchCloudFaults(cloudUrl: string, signal?: AbortSignal): Promise<FaultsByGroup> {
  const url = new URL('/_acfleet/faults', cloudUrl);
  const res = await fetch(url, signal ? { signal } : {});
  if (!res.ok) throw new Error(`${url.href} answered ${res.status}`);
  const parsed = faultsDocumentSchema.safeParse(await res.json());
  if (!parsed.success) throw new Error(`${url.href} returned faults this fleet cannot read: ${formatIssues(parsed.error.issues).join('; ')}`);
  return fromDocument(parsed.data);
}

export interface FaultsFollower {
  stop(): void;
}

/**
 * Polls until stopped; calls `onChange` with the groups whose faults differ from the last ones
 * seen (starting from `initial`). A failed poll is reported once per failure streak, then retried.
 */
export function followCloudFaults(o: {
  cloudUrl: string;
  initial: FaultsByGroup;
  onChange: (changed: FaultsByGroup) => Promise<void>;
  onError: (message: string) => void;
  intervalMs?: number;
}): FaultsFollower {
  const known = new Map(Object.entries(o.initial).map(([g, f]) => [g, JSON.stringify(f)]));
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let failing = false;
  const poll = async (): Promise<void> => {
    try {
      const now = await fetchCloudFaults(o.cloudUrl, abort.signal);
      failing = false;
      const changed: FaultsByGroup = {};
      for (const [group, f] of Object.entries(now)) {
        const json = JSON.stringify(f);
        if (known.get(group) === json) continue;
        known.set(group, json);
        changed[group] = f;
      }
      if (Object.keys(changed).length > 0) await o.onChange(changed);
    } catch (e) {
      if (abort.signal.aborted) return;
      if (!failing) o.onError(`cannot read the cloud's faults (retrying every ${(o.intervalMs ?? FAULTS_POLL_MS) / 1000}s): ${(e as Error).message}`);
      failing = true;
    }
    if (!abort.signal.aborted) schedule();
  };
  // Unref'd: polling alone must not keep a stopping fleet alive.
  const schedule = (): void => {
    timer = setTimeout(() => void poll(), o.intervalMs ?? FAULTS_POLL_MS).unref();
  };
  schedule();
  return {
    stop: () => {
      abort.abort();
      clearTimeout(timer);
    },
  };
}
