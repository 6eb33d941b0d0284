/**
 * A TypeScript worker thread with a message port, run as one long piscina task exactly as FleetPool
 * runs its workers. (On Node 20, tsx's hooks do not apply to a worker's own entry file; piscina's
 * worker loads the task file after start-up, which they do apply to.)
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { Inbox } from './inbox.js';

/** What the worker file's default export receives. */
export interface ThreadTask<D> {
  data: D;
  port: MessagePort;
}

export class TsThread<In, Out extends { type: string }> {
  readonly inbox = new Inbox<Out>();
  private readonly piscina: Piscina;
  private readonly port: MessagePort;
  private readonly ended: Promise<void>;

  constructor(file: URL, data: unknown) {
    this.piscina = new Piscina({ filename: file.href, minThreads: 1, maxThreads: 1, idleTimeout: Number.POSITIVE_INFINITY, execArgv: ['--import', 'tsx'] });
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    port1.on('message', (m: Out) => this.inbox.push(m));
    const task: ThreadTask<unknown> = { data, port: port2 };
    this.ended = this.piscina.run(task, { transferList: [port2] }).then(
      () => this.inbox.close('the worker task ended'),
      (e: unknown) => this.inbox.close(`the worker failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
    );
  }

  send(m: In): void {
    this.port.postMessage(m);
  }

  /** Ends the thread whatever it is doing (after its own clean stop, or when that stop timed out). */
  async terminate(): Promise<void> {
    this.port.close();
    await this.piscina.destroy();
    await this.ended;
  }
}
