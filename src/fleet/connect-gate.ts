import type { ConnectGate } from '../device/context.js';

interface Waiting {
  beginConnect(): boolean;
}

/** At most `limit` handshakes in flight per worker; the rest wait in FIFO order. */
export class FifoConnectGate implements ConnectGate {
  private queue: Waiting[] = [];
  private head = 0;
  private inFlight = 0;

  constructor(private readonly limit: number) {}

  get waiting(): number {
    return this.queue.length - this.head;
  }

  request(device: Waiting): void {
    this.queue.push(device);
    this.drain();
  }

  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.drain();
  }

  private drain(): void {
    while (this.inFlight < this.limit && this.head < this.queue.length) {
      const next = this.queue[this.head++] as Waiting;
      // Count the slot before the handshake starts: it may end (and release) before beginConnect returns.
      this.inFlight++;
      if (!next.beginConnect()) this.inFlight--;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
