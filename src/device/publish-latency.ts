/**
 * Publishes held back by injected latency (issue 6 `latency`). A device gets one of these only
 * while it has messages waiting, and drops it once they are out; messages leave in the order
 * they were published, each no earlier than its own delay, on the worker's shared scheduler.
 */
import type { QoS } from '../transport/connection.js';
import type { DeviceContext, TimerEntry, TimerTarget } from './context.js';

export interface DelayedPublishHost {
  readonly ctx: DeviceContext;
  /** Publishes now (the device may have gone offline meanwhile; then the message is lost). */
  sendNow(topic: string, payload: string, qos: QoS): void;
  /** The queue is empty: the device lets go of it. */
  publishesDrained(): void;
}

interface Held {
  due: number;
  topic: string;
  payload: string;
  qos: QoS;
}

export class DelayedPublishes implements TimerTarget {
  private readonly held: Held[] = [];
  private head = 0;
  private timer: TimerEntry | undefined;

  constructor(private readonly host: DelayedPublishHost) {}

  get size(): number {
    return this.held.length - this.head;
  }

  push(due: number, topic: string, payload: string, qos: QoS): void {
    // A message never overtakes one published before it, even when its own delay is shorter.
    const last = this.held[this.held.length - 1];
    const at = last !== undefined && this.size > 0 && last.due > due ? last.due : due;
    this.held.push({ due: at, topic, payload, qos });
    this.timer ??= this.host.ctx.timers.schedule(at, this, 0);
  }

  onTimer(): void {
    this.timer = undefined;
    const now = this.host.ctx.clock.now();
    for (let m = this.held[this.head]; m !== undefined && m.due <= now; m = this.held[this.head]) {
      this.head++;
      this.host.sendNow(m.topic, m.payload, m.qos);
    }
    const next = this.held[this.head];
    if (next) {
      this.timer ??= this.host.ctx.timers.schedule(next.due, this, 0);
      return;
    }
    this.held.length = 0;
    this.head = 0;
    this.host.publishesDrained();
  }

  /** The connection is gone: what was waiting is lost, as an unsent buffer of a dropped socket is. */
  clear(): void {
    this.host.ctx.timers.cancel(this.timer);
    this.timer = undefined;
    this.held.length = 0;
    this.head = 0;
  }
}
