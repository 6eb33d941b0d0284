/**
 * Presence for brokers that publish no AWS IoT lifecycle events (an external mosquitto): a device
 * counts as online while it is heard (telemetry, shadow reports), and offline once it has been
 * silent for `silentMs` of simulated time. The embedded broker's presence events replace this as
 * soon as the first one arrives.
 */
export class HeardPresence {
  private readonly lastHeard = new Map<string, number>();
  private eventsSeen = false;

  constructor(private readonly silentMs: number) {}

  /** True while no presence event has been seen: the caller should go by what it hears. */
  get active(): boolean {
    return !this.eventsSeen;
  }

  presenceEvent(): void {
    this.eventsSeen = true;
    this.lastHeard.clear();
  }

  heard(thing: string, now: number): void {
    if (!this.eventsSeen) this.lastHeard.set(thing, now);
  }

  /** The things silent too long; they are forgotten until heard again. */
  silent(now: number): string[] {
    const gone: string[] = [];
    for (const [thing, at] of this.lastHeard) {
      if (now - at < this.silentMs) continue;
      gone.push(thing);
      this.lastHeard.delete(thing);
    }
    return gone;
  }
}
