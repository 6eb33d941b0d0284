import { Duplex } from 'node:stream';

/**
 * Two connected in-memory streams: what one writes the other reads. Lets cloud services speak
 * MQTT to the embedded broker without a socket or file descriptor. (Node 22 has
 * stream.duplexPair; Node 20 does not.)
 */
class PairedSide extends Duplex {
  other: PairedSide | undefined;
  private pendingWrite: (() => void) | undefined;

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    const other = this.other;
    if (!other || other.destroyed) return done(new Error('the other side of the stream pair is closed'));
    // Hold the callback until the reader asks for more: real backpressure, no unbounded buffer.
    if (other.push(chunk)) done();
    else other.pendingWrite = () => done();
  }

  override _read(): void {
    const resume = this.pendingWrite;
    this.pendingWrite = undefined;
    resume?.();
  }

  override _final(done: (e?: Error | null) => void): void {
    this.other?.push(null);
    done();
  }

  override _destroy(error: Error | null, done: (e?: Error | null) => void): void {
    const other = this.other;
    this.other = undefined;
    if (other && !other.destroyed) other.destroy();
    done(error);
  }
}

export function duplexPair(): [Duplex, Duplex] {
  const a = new PairedSide();
  const b = new PairedSide();
  a.other = b;
  b.other = a;
  return [a, b];
}
