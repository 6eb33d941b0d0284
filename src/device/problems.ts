/**
 * How devices report trouble without flooding the log: every problem is counted, the first of
 * each kind in a worker is a warning, the rest are debug lines (20,000 devices hitting the same
 * broker fault would otherwise write 20,000 warnings).
 */
import type { DeviceContext } from './context.js';

/** Problems already logged by this worker: one warning per kind, not one per device. */
const warned = new Set<string>();
/** Kinds include the service's error codes; a misbehaving broker must not grow the set without end. */
const MAX_WARNED_KINDS = 64;

/** Counts an error; warns once per kind per worker, then logs at debug only. */
export function reportProblem(ctx: DeviceContext, thing: string, kind: string, details: Record<string, unknown>, message: string): void {
  ctx.counters.errors++;
  const fields = { thing, ...details };
  if (warned.has(kind) || warned.size >= MAX_WARNED_KINDS) return ctx.log.debug(fields, message);
  warned.add(kind);
  ctx.log.warn(fields, `${message} (further ones of this kind are only counted)`);
}
