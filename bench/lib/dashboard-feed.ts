/**
 * The live feed's cost on the wire, read as a second browser would: `GET /_acfleet/live` with
 * fetch, the first `snapshot` event timed and sized on its own, then every `changes` event
 * counted (events, bytes, devices) for a window of wall time.
 */
import { z } from 'zod';
import { nowMs } from './time.js';

export interface FeedResult {
  /** From the request until the whole snapshot event had arrived. */
  snapshotMs: number;
  snapshotBytes: number;
  snapshotDevices: number;
  /** After the snapshot: the counted window. */
  windowMs: number;
  events: number;
  bytes: number;
  /** Device entries in those events (a device changed twice counts twice). */
  deviceUpdates: number;
  /** The longest wait between two events in the window: batches are time-driven, so about the batch interval. */
  maxGapMs: number;
  /** Anything that did not parse as the feed's wire format. */
  problems: string[];
}

const Snapshot = z.object({ devices: z.array(z.unknown()), cities: z.array(z.unknown()) });
const Changes = z.object({ devices: z.array(z.unknown()) });

/** One SSE event block (`event: x\ndata: …`), split into its name and data. */
function parseBlock(block: string): { event: string; data: string } {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  return { event, data: data.join('\n') };
}

/**
 * Reads the feed until `windowMs` after its snapshot (`onSnapshot` is called then, to start
 * other measures on the same window), or until `timeoutMs` passes without a snapshot (then it
 * throws: a dashboard that never gets its first event shows nothing).
 */
export async function watchFeed(http: string, windowMs: number, timeoutMs: number, onSnapshot: () => void = () => undefined): Promise<FeedResult> {
  const abort = new AbortController();
  const startedAt = nowMs();
  const r: FeedResult = { snapshotMs: Number.NaN, snapshotBytes: 0, snapshotDevices: 0, windowMs: 0, events: 0, bytes: 0, deviceUpdates: 0, maxGapMs: 0, problems: [] };
  let windowFrom: number | undefined;
  let lastEventAt = 0;
  const deadline = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const res = await fetch(`${http}/_acfleet/live`, { signal: abort.signal, headers: { accept: 'text/event-stream' } });
    if (!res.ok || !res.body) throw new Error(`GET /_acfleet/live answered ${res.status}`);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let pending = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const at = nowMs();
      pending += decoder.decode(value, { stream: true });
      if (windowFrom !== undefined) r.bytes += value.byteLength;
      for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n')) {
        const block = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const { event, data } = parseBlock(block);
        if (windowFrom === undefined) {
          if (event !== 'snapshot') {
            r.problems.push(`the first event was "${event}", not "snapshot"`);
            continue;
          }
          r.snapshotMs = at - startedAt;
          // Everything read so far belongs to the snapshot; what follows it in this chunk is the window's.
          r.snapshotBytes = Buffer.byteLength(block) + 2;
          r.bytes += Buffer.byteLength(pending);
          const snap = Snapshot.safeParse(JSON.parse(data));
          if (snap.success) r.snapshotDevices = snap.data.devices.length;
          else r.problems.push(`snapshot: ${snap.error.message}`);
          windowFrom = at;
          lastEventAt = at;
          clearTimeout(deadline);
          setTimeout(() => abort.abort(), windowMs).unref();
          onSnapshot();
          continue;
        }
        r.events++;
        r.maxGapMs = Math.max(r.maxGapMs, at - lastEventAt);
        lastEventAt = at;
        if (event !== 'changes') continue;
        const changes = Changes.safeParse(JSON.parse(data));
        if (changes.success) r.deviceUpdates += changes.data.devices.length;
        else r.problems.push(`changes: ${changes.error.message}`);
      }
    }
  } catch (e) {
    if (!abort.signal.aborted) throw e;
    if (windowFrom === undefined) throw new Error(`no snapshot event within ${timeoutMs} ms`);
  } finally {
    clearTimeout(deadline);
    abort.abort();
  }
  r.windowMs = windowFrom === undefined ? 0 : nowMs() - windowFrom;
  return r;
}
