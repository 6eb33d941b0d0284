/**
 * The fleet as the browser knows it: one EventSource on /_acfleet/live, folded into a map of
 * devices. Views re-render at most once per animation frame, however many changes arrive.
 */
import { useEffect, useState } from 'preact/hooks';
import type { CityView, DeviceView, LiveChanges, LiveSnapshot } from '../api/dashboard-types.js';

export type FeedState = 'connecting' | 'live' | 'reconnecting';

export interface FleetState {
  devices: DeviceView[];
  cities: CityView[];
  feed: FeedState;
  /** Increases on every change, so memoised views can tell. */
  version: number;
}

class LiveStore {
  private readonly byThing = new Map<string, DeviceView>();
  private cities: CityView[] = [];
  private feed: FeedState = 'connecting';
  private version = 0;
  private state: FleetState = { devices: [], cities: [], feed: 'connecting', version: 0 };
  private readonly listeners = new Set<(s: FleetState) => void>();
  private source: EventSource | undefined;
  private frame = 0;

  subscribe(listener: (s: FleetState) => void): () => void {
    this.listeners.add(listener);
    this.open();
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  get current(): FleetState {
    return this.state;
  }

  private open(): void {
    if (this.source) return;
    const source = new EventSource('/_acfleet/live');
    this.source = source;
    source.addEventListener('snapshot', (e) => {
      const snap = JSON.parse((e as MessageEvent<string>).data) as LiveSnapshot;
      this.byThing.clear();
      for (const d of snap.devices) this.byThing.set(d.thing, d);
      this.cities = snap.cities;
      this.feed = 'live';
      this.schedule();
    });
    source.addEventListener('changes', (e) => {
      const changes = JSON.parse((e as MessageEvent<string>).data) as LiveChanges;
      for (const { job, ...d } of changes.devices) {
        const known = this.byThing.get(d.thing);
        this.byThing.set(d.thing, { group: known?.group, city: known?.city, ...d, ...(job ? { job } : {}) });
      }
      this.schedule();
    });
    // EventSource reconnects by itself; the next snapshot replaces everything.
    source.addEventListener('error', () => {
      this.feed = 'reconnecting';
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.state = { devices: [...this.byThing.values()], cities: this.cities, feed: this.feed, version: ++this.version };
      for (const l of this.listeners) l(this.state);
    });
  }
}

export const liveStore = new LiveStore();

export function useFleet(): FleetState {
  const [state, setState] = useState(liveStore.current);
  useEffect(() => liveStore.subscribe(setState), []);
  return state;
}
