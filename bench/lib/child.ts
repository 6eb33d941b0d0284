/**
 * A TypeScript child process with an IPC channel: the memory and max-devices steps run there so
 * that their readings (memory, file descriptors) belong to that process alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Inbox } from './inbox.js';

/** The project root: `--import tsx` is resolved from here. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ChildOptions {
  nodeFlags?: string[];
  env?: Record<string, string>;
}

export class TsChild<In, Out extends { type: string }> {
  readonly inbox = new Inbox<Out>();
  private readonly proc: ChildProcess;
  private readonly exitedPromise: Promise<void>;
  private hasExited = false;

  constructor(file: URL, args: unknown, o: ChildOptions = {}) {
    this.proc = spawn(process.execPath, [...(o.nodeFlags ?? []), '--import', 'tsx', fileURLToPath(file), JSON.stringify(args)], {
      cwd: ROOT,
      env: { ...process.env, ...o.env },
      // stdout/stderr pass through: a child's warnings belong in the bench's output.
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (m: Out) => this.inbox.push(m));
    this.exitedPromise = new Promise((resolve) =>
      this.proc.once('exit', (code, signal) => {
        this.hasExited = true;
        this.inbox.close(`child exited (${signal ?? code})`);
        resolve();
      }),
    );
  }

  get exited(): boolean {
    return this.hasExited;
  }

  send(m: In): void {
    if (this.proc.connected) this.proc.send(m as object);
  }

  /** Waits up to `graceMs` for the child to exit by itself, then kills it (this child only). */
  async finish(graceMs: number): Promise<void> {
    if (this.hasExited) return;
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exitedPromise;
    clearTimeout(timer);
  }
}

/**
 * The child side: runs `main`, reports a failure to the bench as an `error` message, and lets go
 * of the IPC channel either way so the child can exit.
 */
export function runChildMain(main: () => Promise<void>, send: (m: { type: 'error'; message: string }) => void): void {
  main().then(
    () => process.disconnect?.(),
    (e: unknown) => {
      send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      process.exitCode = 1;
      process.disconnect?.();
    },
  );
}
