/**
 * Runs `stop` once on the first SIGINT/SIGTERM (or IPC "stop" from a parent), then exits 0; a
 * second signal while stopping exits at once.
 */
export function onShutdown(stop: () => Promise<void>, log: { error(o: object, m: string): void }): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const run = (): Promise<void> => {
    if (stopping) return stopping;
    stopping = stop()
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        log.error({ err: e }, 'shutdown failed');
        process.exit(1);
      });
    return stopping;
  };
  const onSignal = (): void => {
    if (stopping) process.exit(130);
    void run();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('message', (m: unknown) => {
    if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'stop') void run();
  });
  return run;
}
