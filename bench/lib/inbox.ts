/**
 * Messages from a worker thread or child process, taken by type with a deadline, so the bench
 * can wait for "connected" or "result" without hanging when the other side dies or stalls.
 */
export class Inbox<M extends { type: string }> {
  private readonly messages: M[] = [];
  private readonly waiters = new Set<() => void>();
  private closedWith: string | undefined;

  push(m: M): void {
    this.messages.push(m);
    this.notify();
  }

  /** The other side is gone; waiting callers get `undefined` instead of waiting out their deadline. */
  close(reason: string): void {
    this.closedWith ??= reason;
    this.notify();
  }

  get closedReason(): string | undefined {
    return this.closedWith;
  }

  /** The first message of `type` (kept in arrival order), or undefined after `timeoutMs` or once closed. */
  next<K extends M['type']>(type: K, timeoutMs: number): Promise<Extract<M, { type: K }> | undefined> {
    return this.first([type], timeoutMs);
  }

  /** The first message of any of `types`. */
  async first<K extends M['type']>(types: readonly K[], timeoutMs: number): Promise<Extract<M, { type: K }> | undefined> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex((m) => (types as readonly string[]).includes(m.type));
      if (i >= 0) return this.messages.splice(i, 1)[0] as Extract<M, { type: K }>;
      const left = until - Date.now();
      if (left <= 0 || this.closedWith !== undefined) return undefined;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  private notify(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
