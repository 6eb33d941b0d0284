/** Console output shared by the bench scenarios. */

/** A logger whose lines carry the time since `startMs`, to see where a run spends its minutes. */
export function progressLog(startMs: number): (line: string) => void {
  return (line) => {
    const at = `+${((Date.now() - startMs) / 1000).toFixed(0)}s`.padStart(6);
    process.stdout.write(line.startsWith('\n') || line === '' ? `${line}\n` : `${at} ${line}\n`);
  };
}

export const formatCount = (v: number): string => Math.round(v).toLocaleString('en-US');
export const formatSeconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/**
 * Runs one step of a scenario: a failure is recorded on the broker's result and printed, and the
 * next step still runs.
 */
export function stepRunner(log: (line: string) => void) {
  return async (r: { broker: string; errors: { step: string; message: string }[] }, name: string, body: () => Promise<void>): Promise<void> => {
    try {
      await body();
    } catch (e) {
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      r.errors.push({ step: name, message });
      log(`[${r.broker}] !!! ${name} failed: ${message}`);
    }
  };
}
