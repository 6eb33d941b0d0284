/** The cloud's simulated clock (/_acfleet/clock), so the page shows the time devices live in. */
import { useEffect, useState } from 'preact/hooks';
import { call } from './api.js';

interface ClockEpoch {
  wallMs: number;
  simMs: number;
  speed: number;
}

let epoch: ClockEpoch | undefined;
let loading: Promise<void> | undefined;

function load(): Promise<void> {
  loading ??= call<ClockEpoch>('GET', '/_acfleet/clock').then((r) => {
    if (r.ok) epoch = r.data;
  });
  return loading;
}

/** Simulated epoch ms now (the browser's clock scaled as the cloud's is). */
export function simNow(): number {
  return epoch ? epoch.simMs + (Date.now() - epoch.wallMs) * epoch.speed : Date.now();
}

export function useSimClock(): { now: number; speed: number } {
  const [, tick] = useState(0);
  useEffect(() => {
    void load().then(() => tick((n) => n + 1));
    const id = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(id);
  }, []);
  return { now: simNow(), speed: epoch?.speed ?? 1 };
}
