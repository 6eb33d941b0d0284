/** The classic shadow as GetThingShadow gives it: desired, reported and delta side by side, with its version. */
import type { ApiResult } from '../api.js';
import { formatTime } from '../ui.js';
import type { JsonObject, ShadowDocument } from './shadow-types.js';

export function ShadowPanel({ result }: { result: ApiResult<ShadowDocument> | undefined }) {
  if (!result) return <p class="muted">Loading the shadow…</p>;
  if (!result.ok) {
    if (result.error.status === 404) return <p class="muted">No shadow yet: the device has not reported, and nothing is desired.</p>;
    return (
      <p class="form-error">
        {result.error.type}: {result.error.message}
      </p>
    );
  }
  const shadow = result.data;
  const state = shadow.state ?? {};
  return (
    <div class="shadow-columns">
      <ShadowBlock title="Desired" testId="shadow-desired" value={state.desired} metadata={shadow.metadata?.desired} empty="nothing desired" />
      <ShadowBlock title="Reported" testId="shadow-reported" value={state.reported} metadata={shadow.metadata?.reported} empty="nothing reported" />
      <ShadowBlock title="Delta" testId="shadow-delta" value={state.delta} empty="in sync: the device reports what is desired" hint="desired but not yet reported" />
    </div>
  );
}

export function ShadowVersion({ result }: { result: ApiResult<ShadowDocument> | undefined }) {
  const version = result?.ok ? result.data.version : undefined;
  return (
    <span class="shadow-version" title="the shadow document's version: every accepted update adds one">
      version <strong data-testid="shadow-version">{version ?? '—'}</strong>
    </span>
  );
}

function ShadowBlock(p: { title: string; testId: string; value: JsonObject | null | undefined; metadata?: JsonObject | undefined; empty: string; hint?: string }) {
  const has = p.value !== undefined && p.value !== null && Object.keys(p.value).length > 0;
  const updated = p.metadata ? latestTimestamps(p.metadata) : [];
  return (
    <div class={`shadow-block${p.title === 'Delta' && has ? ' shadow-block-delta' : ''}`}>
      <h3>
        {p.title}
        {p.hint && <span class="muted small"> · {p.hint}</span>}
      </h3>
      <pre class="shadow-json" data-testid={p.testId} data-empty={has ? undefined : 'true'}>
        {has ? JSON.stringify(p.value, null, 2) : '{}'}
      </pre>
      {!has && <p class="muted small">{p.empty}</p>}
      {updated.length > 0 && (
        <table class="shadow-meta small">
          <tbody>
            {updated.map(([key, at]) => (
              <tr key={key}>
                <td class="muted">{key}</td>
                <td class="nowrap">{formatTime(at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Each top-level key's newest metadata timestamp (a nested object's is its newest leaf's). */
function latestTimestamps(metadata: JsonObject): [string, number][] {
  const newest = (node: unknown): number | undefined => {
    if (typeof node !== 'object' || node === null) return undefined;
    const own = (node as { timestamp?: unknown }).timestamp;
    if (typeof own === 'number') return own;
    let best: number | undefined;
    for (const child of Object.values(node)) {
      const t = newest(child);
      if (t !== undefined && (best === undefined || t > best)) best = t;
    }
    return best;
  };
  const out: [string, number][] = [];
  for (const [key, node] of Object.entries(metadata)) {
    const t = newest(node);
    if (t !== undefined) out.push([key, t]);
  }
  return out;
}
