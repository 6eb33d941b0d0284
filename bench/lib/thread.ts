/**
 * A TypeScript worker thread, loaded through tsx. A worker's entry file is resolved before its
 * `--import tsx` hooks are in place, so the entry is a one-line script that imports the .ts file
 * (piscina does the same: its own .js worker imports the task file).
 */
import { Worker } from 'node:worker_threads';
import { Inbox } from './inbox.js';

export class TsThread<In, Out extends { type: string }> {
  readonly inbox = new Inbox<Out>();
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(file: URL, workerData: unknown) {
    this.worker = new Worker(`import(${JSON.stringify(file.href)}).catch((e) => { throw e; });`, { eval: true, execArgv: ['--import', 'tsx'], workerData });
    this.worker.on('message', (m: Out) => this.inbox.push(m));
    this.worker.on('error', (e) => this.inbox.close(`worker error: ${e.stack ?? e.message}`));
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.inbox.close(`worker exited (${code})`);
        resolve();
      }),
    );
  }

  send(m: In): void {
    this.worker.postMessage(m);
  }

  /** Ends the thread whatever it is doing (after its own clean stop, or when that stop timed out). */
  async terminate(): Promise<void> {
    await this.worker.terminate();
    await this.exited;
  }
}
