import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  applyShadowUpdate,
  computeDelta,
  deltaMetadata,
  isMetadataObject,
  mergeState,
  metadataFor,
  stateBytes,
  DEFAULT_UPDATE_OPTIONS,
  type MetadataNode,
  type ShadowDocument,
  type ShadowUpdateRequest,
  type UpdateOptions,
  type UpdateOutcome,
} from '../../src/cloud/shadow/merge.js';
import { isPlainObject, jsonDepth, jsonEqual, type Json, type JsonObject } from '../../src/cloud/shadow/json.js';

const T0 = 1_767_225_500;
const T1 = 1_767_225_600;
const T2 = 1_767_225_700;
const OPTS: UpdateOptions = { ...DEFAULT_UPDATE_OPTIONS };

function update(
  current: ShadowDocument | undefined,
  req: ShadowUpdateRequest,
  nowSec = T1,
  opts: UpdateOptions = OPTS,
): UpdateOutcome {
  const r = applyShadowUpdate(current, req, nowSec, opts);
  if (!r.ok) throw new Error(`update rejected: ${r.error.code} ${r.error.message}`);
  return r.value;
}

/** Builds a stored document the way the service would: by a first update at T0. */
function created(state: { desired?: JsonObject; reported?: JsonObject }): ShadowDocument {
  return update(undefined, { state }, T0).next;
}

const leaf = (timestamp: number) => ({ timestamp });

describe('applyShadowUpdate: versions', () => {
  it('starts at 1 on the first update and adds 1 on every accepted update', () => {
    const first = update(undefined, { state: { reported: { on: true } } });
    expect(first.next.version).toBe(1);
    const second = update(first.next, { state: { reported: { on: true } } });
    expect(second.next.version).toBe(2);
  });

  it('bumps the version even when nothing changes', () => {
    const doc = created({ reported: { on: true } });
    const same = update(doc, { state: { reported: { on: true } } });
    expect(same.next.version).toBe(doc.version + 1);
    expect(same.next.state).toEqual(doc.state);
    const empty = update(same.next, { state: {} });
    expect(empty.next.version).toBe(doc.version + 2);
  });

  it('accepts a matching version and rejects a stale or future one with 409', () => {
    const doc = update(created({ reported: { a: 1 } }), { state: { reported: { a: 2 } } }).next; // version 2
    expect(update(doc, { state: { reported: { a: 3 } }, version: 2 }).next.version).toBe(3);
    for (const version of [0, 1, 3, 99]) {
      const r = applyShadowUpdate(doc, { state: { reported: { a: 3 } }, version }, T1, OPTS);
      expect(r).toEqual({ ok: false, error: { code: 409, message: 'Version conflict' } });
    }
  });

  it('treats a missing shadow as version 0 for the optimistic lock', () => {
    expect(update(undefined, { state: { reported: { a: 1 } }, version: 0 }).next.version).toBe(1);
    const r = applyShadowUpdate(undefined, { state: { reported: { a: 1 } }, version: 1 }, T1, OPTS);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(409);
  });

  it('continues from deletedVersion when a deleted shadow is re-created', () => {
    const opts: UpdateOptions = { ...OPTS, deletedVersion: 7 };
    const out = update(undefined, { state: { reported: { a: 1 } } }, T1, opts);
    expect(out.next.version).toBe(8);
    expect(out.acceptedDoc.version).toBe(8);
    expect(update(undefined, { state: {}, version: 7 }, T1, opts).next.version).toBe(8);
    const stale = applyShadowUpdate(undefined, { state: {}, version: 0 }, T1, opts);
    expect(stale.ok ? undefined : stale.error.code).toBe(409);
  });

  it('ignores deletedVersion while the shadow exists', () => {
    const doc = created({ reported: { a: 1 } });
    expect(update(doc, { state: {} }, T1, { ...OPTS, deletedVersion: 50 }).next.version).toBe(2);
  });

  it('checks the version before anything else and leaves the input untouched on rejection', () => {
    const doc = created({ reported: { a: 1 } });
    const before = structuredClone(doc);
    applyShadowUpdate(doc, { state: { reported: { big: 'x'.repeat(10_000) } }, version: 9 }, T1, OPTS);
    expect(doc).toEqual(before);
  });
});

describe('applyShadowUpdate: merge rules', () => {
  it('changes only the keys in the request and merges objects recursively', () => {
    const doc = created({ reported: { mode: 'cool', fan: { speed: 2, swing: true } }, desired: { mode: 'cool' } });
    const out = update(doc, { state: { reported: { fan: { speed: 3 } } } });
    expect(out.next.state).toEqual({
      desired: { mode: 'cool' },
      reported: { mode: 'cool', fan: { speed: 3, swing: true } },
    });
  });

  it('deletes a key with null at any depth', () => {
    const doc = created({ reported: { a: 1, b: { c: 2, d: { e: 3, f: 4 } } } });
    const out = update(doc, { state: { reported: { a: null, b: { d: { e: null } } } } });
    expect(out.next.state.reported).toEqual({ b: { c: 2, d: { f: 4 } } });
  });

  it('ignores null for keys that do not exist', () => {
    const doc = created({ reported: { a: 1 } });
    expect(update(doc, { state: { reported: { zz: null, y: { q: null } } } }).next.state.reported).toEqual({ a: 1 });
  });

  it('drops a whole section with "desired": null and keeps the other', () => {
    const doc = created({ desired: { a: 1 }, reported: { a: 2 } });
    const out = update(doc, { state: { desired: null } });
    expect(out.next.state).toEqual({ reported: { a: 2 } });
    expect(out.next.metadata).toEqual({ reported: { a: leaf(T0) } });
    expect(update(doc, { state: { reported: null } }).next.state).toEqual({ desired: { a: 1 } });
  });

  it('clears both sections with "state": null but keeps the shadow and bumps the version', () => {
    const doc = created({ desired: { a: 1 }, reported: { a: 2 } });
    const out = update(doc, { state: null });
    expect(out.next).toEqual({ state: {}, metadata: {}, version: 2 });
  });

  it('replaces scalars and arrays wholesale', () => {
    const doc = created({ reported: { list: [1, 2, 3], objs: [{ a: 1 }], s: 'x', n: 1 } });
    const out = update(doc, { state: { reported: { list: [9], objs: [{ b: 2 }], s: 5, n: 'y' } } });
    expect(out.next.state.reported).toEqual({ list: [9], objs: [{ b: 2 }], s: 5, n: 'y' });
  });

  it('replaces an object by a scalar or an array, and a scalar by an object', () => {
    const doc = created({ reported: { a: { x: 1 }, b: { y: 2 }, c: 3 } });
    const out = update(doc, { state: { reported: { a: 5, b: [1], c: { z: 1 } } } });
    expect(out.next.state.reported).toEqual({ a: 5, b: [1], c: { z: 1 } });
    expect(out.next.metadata.reported).toEqual({ a: leaf(T1), b: [leaf(T1)], c: { z: leaf(T1) } });
  });

  it('adds nothing for a new object whose leaves are all null', () => {
    const doc = created({ reported: { a: 1 } });
    const out = update(doc, { state: { reported: { n: { x: null, y: { z: null } } } } });
    expect(out.next.state.reported).toEqual({ a: 1 });
    expect(out.next.metadata.reported).toEqual({ a: leaf(T0) });
  });

  it('keeps only the non-null part of a new object', () => {
    const out = update(undefined, { state: { reported: { n: { x: null, y: { z: null, w: 1 } } } } });
    expect(out.next.state.reported).toEqual({ n: { y: { w: 1 } } });
    expect(out.next.metadata.reported).toEqual({ n: { y: { w: leaf(T1) } } });
  });

  it('removes objects and sections that become empty', () => {
    const doc = created({ desired: { fan: { speed: 2 } }, reported: { a: 1, fan: { speed: 2 } } });
    const out = update(doc, { state: { desired: { fan: { speed: null } }, reported: { fan: { speed: null } } } });
    expect(out.next.state).toEqual({ reported: { a: 1 } });
    expect(out.next.metadata).toEqual({ reported: { a: leaf(T0) } });
  });

  it('never stores empty objects, not even explicitly sent ones', () => {
    const out = update(undefined, { state: { desired: {}, reported: { a: {}, b: 1 } } });
    expect(out.next.state).toEqual({ reported: { b: 1 } });
    const replaced = update(out.next, { state: { reported: { b: {} } } });
    expect(replaced.next.state).toEqual({});
  });

  it('treats keys such as __proto__ and constructor as plain data', () => {
    const reported = JSON.parse('{"__proto__":{"polluted":1},"constructor":2}') as JsonObject;
    const out = update(undefined, { state: { reported } }, T0);
    expect(Object.keys(out.next.state.reported ?? {})).toEqual(['__proto__', 'constructor']);
    expect(JSON.stringify(out.next.state)).toBe('{"reported":{"__proto__":{"polluted":1},"constructor":2}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const patched = update(out.next, { state: { reported: JSON.parse('{"__proto__":{"x":2},"toString":3}') as JsonObject } });
    expect(JSON.stringify(patched.next.state.reported)).toBe('{"__proto__":{"polluted":1,"x":2},"constructor":2,"toString":3}');
    expect(JSON.stringify(patched.next.metadata.reported)).toBe(
      `{"__proto__":{"polluted":{"timestamp":${T0}},"x":{"timestamp":${T1}}},"constructor":{"timestamp":${T0}},"toString":{"timestamp":${T1}}}`,
    );
  });

  it('does not mutate the current document or the request', () => {
    const doc = created({ desired: { a: { b: 1 } }, reported: { a: { b: 2 }, c: [1] } });
    const req: ShadowUpdateRequest = { state: { desired: { a: { b: null, d: 4 } }, reported: { c: null } } };
    const docBefore = structuredClone(doc);
    const reqBefore = structuredClone(req);
    update(doc, req);
    expect(doc).toEqual(docBefore);
    expect(req).toEqual(reqBefore);
  });
});

describe('applyShadowUpdate: state size limit', () => {
  it('rejects with 413 when the resulting state exceeds maxStateBytes', () => {
    const r = applyShadowUpdate(undefined, { state: { reported: { s: 'x'.repeat(9000) } } }, T1, OPTS);
    expect(r).toEqual({ ok: false, error: { code: 413, message: 'The payload exceeds the maximum size allowed' } });
  });

  it('counts desired plus reported together, as UTF-8, without metadata', () => {
    const opts = { ...OPTS, maxStateBytes: 100 };
    // {"desired":{"a":"…"},"reported":{"a":"…"}} is 40 bytes of framing around the two strings.
    const fits = update(undefined, { state: { desired: { a: 'x'.repeat(30) }, reported: { a: 'y'.repeat(30) } } }, T1, opts);
    expect(stateBytes(fits.next)).toBe(100);
    const tooBig = applyShadowUpdate(fits.next, { state: { reported: { a: 'y'.repeat(31) } } }, T1, opts);
    expect(tooBig.ok ? undefined : tooBig.error.code).toBe(413);
    // 21 bytes of framing + 45 two-byte characters = 111 bytes, although only 66 UTF-16 units.
    const multibyte = applyShadowUpdate(undefined, { state: { reported: { a: 'é'.repeat(45) } } }, T1, opts);
    expect(multibyte.ok ? undefined : multibyte.error.code).toBe(413);
    expect(update(undefined, { state: { reported: { a: 'e'.repeat(45) } } }, T1, opts).next.version).toBe(1);
  });

  it('accepts an update that shrinks the state back under the limit', () => {
    const doc = update(undefined, { state: { reported: { a: 'x'.repeat(30) } } }, T1, { ...OPTS, maxStateBytes: 51 }).next;
    const opts = { ...OPTS, maxStateBytes: 50 };
    expect(update(doc, { state: { reported: { a: null } } }, T1, opts).next.state).toEqual({});
  });
});

describe('metadata', () => {
  it('mirrors the state tree with timestamp leaves and per-element array metadata', () => {
    const out = update(undefined, {
      state: { reported: { on: true, fan: { speed: 2 }, colors: ['red', 'green'], pts: [{ x: 1 }, [2, 3]], none: [] } },
    });
    expect(out.next.metadata).toEqual({
      reported: {
        on: leaf(T1),
        fan: { speed: leaf(T1) },
        colors: [leaf(T1), leaf(T1)],
        pts: [{ x: leaf(T1) }, [leaf(T1), leaf(T1)]],
        none: [],
      },
    });
  });

  it('updates timestamps only for the fields in the request', () => {
    const doc = created({ reported: { a: 1, fan: { speed: 1, swing: false } }, desired: { a: 1 } });
    const out = update(doc, { state: { reported: { fan: { speed: 2 } } } }, T2);
    expect(out.next.metadata).toEqual({
      desired: { a: leaf(T0) },
      reported: { a: leaf(T0), fan: { speed: leaf(T2), swing: leaf(T0) } },
    });
  });

  it('restamps a field sent again with the same value', () => {
    const doc = created({ reported: { a: 1 } });
    expect(update(doc, { state: { reported: { a: 1 } } }, T2).next.metadata.reported).toEqual({ a: leaf(T2) });
  });

  it('handles a state key literally named "timestamp"', () => {
    const doc = created({ reported: { timestamp: { at: 1 } } });
    expect(doc.metadata.reported).toEqual({ timestamp: { at: leaf(T0) } });
    const out = update(doc, { state: { reported: { timestamp: { more: 2 } } } }, T2);
    expect(out.next.metadata.reported).toEqual({ timestamp: { at: leaf(T0), more: leaf(T2) } });
    expect(isMetadataObject({ timestamp: { timestamp: 1 } })).toBe(true);
    expect(isMetadataObject({ timestamp: 1 })).toBe(false);
    expect(isMetadataObject([leaf(1)])).toBe(false);
  });

  it('builds metadata for any value with metadataFor', () => {
    expect(metadataFor(null, 5)).toEqual(leaf(5));
    expect(metadataFor({ a: [1, { b: null }] }, 5)).toEqual({ a: [leaf(5), { b: leaf(5) }] });
  });
});

describe('computeDelta', () => {
  it('is undefined without desired or when desired is fully reported', () => {
    expect(computeDelta(undefined, { a: 1 })).toBeUndefined();
    expect(computeDelta({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2] }, extra: true })).toBeUndefined();
  });

  it('includes desired keys missing from reported, including everything when reported is absent', () => {
    expect(computeDelta({ a: 1, b: 2 }, { a: 1 })).toEqual({ b: 2 });
    expect(computeDelta({ a: 1, b: { c: 2 } }, undefined)).toEqual({ a: 1, b: { c: 2 } });
  });

  it('ignores reported-only keys', () => {
    expect(computeDelta({ a: 1 }, { a: 2, z: 9 })).toEqual({ a: 1 });
  });

  it('keeps the path from the root for nested differences', () => {
    expect(computeDelta({ fan: { speed: 3, swing: true }, mode: 'cool' }, { fan: { speed: 2, swing: true }, mode: 'cool' })).toEqual({
      fan: { speed: 3 },
    });
    expect(computeDelta({ a: { b: { c: { d: 1, e: 2 } } } }, { a: { b: { c: { d: 1, e: 3 } } } })).toEqual({ a: { b: { c: { e: 2 } } } });
  });

  it('compares arrays whole and copies the whole desired array', () => {
    expect(computeDelta({ l: [1, 2, 3] }, { l: [1, 2, 4] })).toEqual({ l: [1, 2, 3] });
    expect(computeDelta({ l: [1, 2] }, { l: [1, 2, 3] })).toEqual({ l: [1, 2] });
    expect(computeDelta({ l: [{ a: 1 }] }, { l: [{ a: 1 }] })).toBeUndefined();
    expect(computeDelta({ l: [{ a: 1, b: 2 }] }, { l: [{ b: 2, a: 1 }] })).toBeUndefined();
  });

  it('compares numbers numerically, so 1 equals 1.0', () => {
    const desired = JSON.parse('{"t":1,"u":2.50}') as JsonObject;
    const reported = JSON.parse('{"t":1.0,"u":2.5}') as JsonObject;
    expect(computeDelta(desired, reported)).toBeUndefined();
    expect(computeDelta({ t: 1 }, { t: '1' })).toEqual({ t: 1 });
  });

  it('copies the whole desired value when the types differ', () => {
    expect(computeDelta({ a: { x: 1 } }, { a: 5 })).toEqual({ a: { x: 1 } });
    expect(computeDelta({ a: 5 }, { a: { x: 1 } })).toEqual({ a: 5 });
    expect(computeDelta({ a: [1] }, { a: { 0: 1 } })).toEqual({ a: [1] });
    expect(computeDelta({ a: false }, { a: 0 })).toEqual({ a: false });
  });

  it('builds delta metadata following the delta shape from desired metadata', () => {
    const desiredMeta = { fan: { speed: leaf(1), swing: leaf(2) }, l: [leaf(3)], m: { n: leaf(4) } };
    expect(deltaMetadata({ fan: { speed: 3 }, l: [1], m: { n: 1 } }, desiredMeta, 9)).toEqual({
      fan: { speed: leaf(1) },
      l: [leaf(3)],
      m: { n: leaf(4) },
    });
  });
});

describe('applyShadowUpdate: update/delta', () => {
  it('publishes all differing desired keys, not only those in the request', () => {
    const doc = created({ desired: { a: 1, fan: { speed: 3, swing: true } }, reported: { a: 0, fan: { speed: 1, swing: true } } });
    const out = update(doc, { state: { desired: { b: 'x' } }, clientToken: 'tok' }, T2);
    expect(out.deltaDoc).toEqual({
      state: { a: 1, fan: { speed: 3 }, b: 'x' },
      metadata: { a: leaf(T0), fan: { speed: leaf(T0) }, b: leaf(T2) },
      version: 2,
      timestamp: T2,
      clientToken: 'tok',
    });
  });

  it('is absent when desired matches reported', () => {
    const doc = created({ reported: { a: 1 } });
    const out = update(doc, { state: { desired: { a: 1 } } });
    expect(out.deltaDoc).toBeUndefined();
    expect('deltaDoc' in out).toBe(false);
  });

  it('has no clientToken when the request had none', () => {
    const out = update(undefined, { state: { desired: { a: 1 } } });
    expect(out.deltaDoc).toEqual({ state: { a: 1 }, metadata: { a: leaf(T1) }, version: 1, timestamp: T1 });
  });

  it("with deltaOn 'desired-updates' publishes only when the request carried state.desired", () => {
    const doc = created({ desired: { a: 1 }, reported: { a: 0 } });
    expect(update(doc, { state: { reported: { a: 2 } } }).deltaDoc).toBeUndefined();
    expect(update(doc, { state: { reported: { b: 2 } } }).deltaDoc).toBeUndefined();
    expect(update(doc, { state: {} }).deltaDoc).toBeUndefined();
    expect(update(doc, { state: { desired: { z: 1 } } }).deltaDoc?.state).toEqual({ a: 1, z: 1 });
  });

  it("with deltaOn 'any-update' publishes after any accepted update with a non-empty delta", () => {
    const opts: UpdateOptions = { ...OPTS, deltaOn: 'any-update' };
    const doc = created({ desired: { a: 1 }, reported: { a: 0 } });
    expect(update(doc, { state: { reported: { b: 2 } } }, T1, opts).deltaDoc?.state).toEqual({ a: 1 });
    expect(update(doc, { state: {} }, T1, opts).deltaDoc?.state).toEqual({ a: 1 });
    expect(update(doc, { state: { reported: { a: 1 } } }, T1, opts).deltaDoc).toBeUndefined();
    expect(update(doc, { state: null }, T1, opts).deltaDoc).toBeUndefined();
  });

  it('is absent after dropping desired, even though the request named desired', () => {
    const doc = created({ desired: { a: 1 }, reported: { a: 0 } });
    expect(update(doc, { state: { desired: null } }).deltaDoc).toBeUndefined();
  });

  it('carries the desired array whole with its per-element metadata', () => {
    const doc = created({ reported: { l: [1, 2] } });
    const out = update(doc, { state: { desired: { l: [1, 3] } } }, T2);
    expect(out.deltaDoc?.state).toEqual({ l: [1, 3] });
    expect(out.deltaDoc?.metadata).toEqual({ l: [leaf(T2), leaf(T2)] });
  });
});

describe('applyShadowUpdate: update/accepted', () => {
  it('echoes the request state as sent, nulls included, with timestamps for exactly those fields', () => {
    const doc = created({ desired: { a: 1, b: { c: 1, d: 2 } }, reported: { a: 1 } });
    const out = update(doc, { state: { desired: { a: null, b: { c: null, e: [1, 2] } } }, clientToken: 'c1' }, T2);
    expect(out.acceptedDoc).toEqual({
      state: { desired: { a: null, b: { c: null, e: [1, 2] } } },
      metadata: { desired: { a: leaf(T2), b: { c: leaf(T2), e: [leaf(T2), leaf(T2)] } } },
      version: 2,
      timestamp: T2,
      clientToken: 'c1',
    });
    expect(Object.keys(out.acceptedDoc)).toEqual(['state', 'metadata', 'version', 'timestamp', 'clientToken']);
  });

  it('stamps a null section as a leaf and echoes "state": null with empty metadata', () => {
    const doc = created({ desired: { a: 1 }, reported: { a: 1 } });
    expect(update(doc, { state: { desired: null, reported: { b: 2 } } }).acceptedDoc).toEqual({
      state: { desired: null, reported: { b: 2 } },
      metadata: { desired: leaf(T1), reported: { b: leaf(T1) } },
      version: 2,
      timestamp: T1,
    });
    expect(update(doc, { state: null }).acceptedDoc).toEqual({ state: null, metadata: {}, version: 2, timestamp: T1 });
  });

  it('echoes an empty state for a state with no sections', () => {
    expect(update(undefined, { state: {} }).acceptedDoc).toEqual({ state: {}, metadata: {}, version: 1, timestamp: T1 });
  });

  it('keeps the empty-string clientToken', () => {
    expect(update(undefined, { state: {}, clientToken: '' }).acceptedDoc.clientToken).toBe('');
  });
});

describe('applyShadowUpdate: update/documents', () => {
  it('omits previous when the update creates the shadow', () => {
    const out = update(undefined, { state: { reported: { a: 1 } }, clientToken: 'k' });
    expect(out.documentsDoc).toEqual({
      current: { state: { reported: { a: 1 } }, metadata: { reported: { a: leaf(T1) } }, version: 1 },
      timestamp: T1,
      clientToken: 'k',
    });
  });

  it('omits previous on re-creation after delete too', () => {
    const out = update(undefined, { state: { reported: { a: 1 } } }, T1, { ...OPTS, deletedVersion: 4 });
    expect(out.documentsDoc).toEqual({
      current: { state: { reported: { a: 1 } }, metadata: { reported: { a: leaf(T1) } }, version: 5 },
      timestamp: T1,
    });
  });

  it('carries previous and current without delta', () => {
    const doc = created({ desired: { a: 1 }, reported: { a: 0 } });
    const out = update(doc, { state: { reported: { a: 1, b: 2 } } }, T2);
    expect(out.documentsDoc).toEqual({
      previous: {
        state: { desired: { a: 1 }, reported: { a: 0 } },
        metadata: { desired: { a: leaf(T0) }, reported: { a: leaf(T0) } },
        version: 1,
      },
      current: {
        state: { desired: { a: 1 }, reported: { a: 1, b: 2 } },
        metadata: { desired: { a: leaf(T0) }, reported: { a: leaf(T2), b: leaf(T2) } },
        version: 2,
      },
      timestamp: T2,
    });
    expect(Object.keys(out.documentsDoc)).toEqual(['previous', 'current', 'timestamp']);
  });

  it('shows empty state and metadata after "state": null', () => {
    const doc = created({ reported: { a: 0 } });
    expect(update(doc, { state: null }).documentsDoc.current).toEqual({ state: {}, metadata: {}, version: 2 });
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests

const keyArb = fc.constantFrom('a', 'b', 'c', 'timestamp', '__proto__', 'constructor');
const scalarArb = fc.oneof(
  fc.boolean(),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(1.5, -0.25, 1e21),
  fc.constantFrom('', 'x', 'é'),
);

// Stored-state values: never null; nulls inside arrays are rejected by request validation anyway.
const { value: valueArb } = fc.letrec<{ value: Json; object: JsonObject }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarArb, fc.array(tie('value'), { maxLength: 3 }), tie('object')),
  object: fc.dictionary(keyArb, tie('value'), { maxKeys: 3, noNullPrototype: true }),
}));
const stateObjectArb = fc.dictionary(keyArb, valueArb, { maxKeys: 4, noNullPrototype: true });

// Patches: like state, plus nulls (deletes) at object positions.
const { object: patchObjectArb } = fc.letrec<{ value: Json; object: JsonObject }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarArb, fc.constant(null), fc.array(valueArb, { maxLength: 3 }), tie('object')),
  object: fc.dictionary(keyArb, tie('value'), { maxKeys: 3, noNullPrototype: true }),
}));
const sectionPatchArb = fc.option(patchObjectArb, { nil: undefined, freq: 3 }).chain((p) =>
  p === undefined ? fc.constant(undefined) : fc.oneof(fc.constant(p), fc.constant(null)),
);
const requestArb: fc.Arbitrary<ShadowUpdateRequest> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<ShadowUpdateRequest>({ state: null }) },
  {
    weight: 8,
    arbitrary: fc.record({ desired: sectionPatchArb, reported: sectionPatchArb }).map((s) => {
      const state: NonNullable<ShadowUpdateRequest['state']> = {};
      if (s.desired !== undefined) state.desired = s.desired;
      if (s.reported !== undefined) state.reported = s.reported;
      return { state };
    }),
  },
);
const docArb = fc
  .record({ desired: fc.option(stateObjectArb, { nil: undefined }), reported: fc.option(stateObjectArb, { nil: undefined }) })
  .map((s) => {
    const state: { desired?: JsonObject; reported?: JsonObject } = {};
    if (s.desired !== undefined) state.desired = s.desired;
    if (s.reported !== undefined) state.reported = s.reported;
    return update(undefined, { state }, T0, { ...OPTS, maxStateBytes: Infinity }).next;
  });
const currentArb = fc.option(docArb, { nil: undefined });
const BIG: UpdateOptions = { ...OPTS, maxStateBytes: Number.POSITIVE_INFINITY };

/** No nulls outside arrays and no empty objects anywhere in stored state. */
function isCleanTree(v: Json): boolean {
  if (v === null) return false;
  if (Array.isArray(v)) return true;
  if (!isPlainObject(v)) return true;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => isCleanTree(v[k] ?? null));
}

/** Metadata has exactly the state's shape: same keys, same array lengths, timestamp leaves. */
function mirrors(state: Json, meta: MetadataNode | undefined): boolean {
  if (meta === undefined) return false;
  if (Array.isArray(state)) return Array.isArray(meta) && meta.length === state.length && state.every((s, i) => mirrors(s, meta[i]));
  if (isPlainObject(state)) {
    if (!isMetadataObject(meta)) return false;
    const keys = Object.keys(state);
    return (
      keys.length === Object.keys(meta).length &&
      keys.every((k) => Object.hasOwn(meta, k) && mirrors(state[k] ?? null, meta[k]))
    );
  }
  return !Array.isArray(meta) && typeof meta.timestamp === 'number';
}

describe('applyShadowUpdate properties', () => {
  it('never leaves null leaves or empty objects in the stored state', () => {
    fc.assert(
      fc.property(currentArb, requestArb, (current, req) => {
        const { next } = update(current, req, T1, BIG);
        for (const section of [next.state.desired, next.state.reported]) {
          if (section !== undefined) expect(isCleanTree(section)).toBe(true);
        }
      }),
    );
  });

  it('always bumps the version by exactly one', () => {
    fc.assert(
      fc.property(currentArb, requestArb, fc.nat(1000), (current, req, deleted) => {
        const opts = { ...BIG, deletedVersion: deleted };
        const out = update(current, req, T1, opts);
        const expected = (current?.version ?? deleted) + 1;
        expect(out.next.version).toBe(expected);
        expect(out.acceptedDoc.version).toBe(expected);
        expect((out.documentsDoc.current as JsonObject).version).toBe(expected);
      }),
    );
  });

  it('keeps metadata keys mirroring state keys', () => {
    fc.assert(
      fc.property(currentArb, requestArb, (current, req) => {
        const { next } = update(current, req, T1, BIG);
        expect(Object.keys(next.metadata).sort()).toEqual(Object.keys(next.state).sort());
        if (next.state.desired) expect(mirrors(next.state.desired, next.metadata.desired)).toBe(true);
        if (next.state.reported) expect(mirrors(next.state.reported, next.metadata.reported)).toBe(true);
      }),
    );
  });

  it('stores every non-null value the request wrote, at its path', () => {
    const written = (patch: JsonObject, stored: JsonObject | undefined): void => {
      for (const key of Object.keys(patch)) {
        const value = patch[key] ?? null;
        const got = stored === undefined || !Object.hasOwn(stored, key) ? undefined : stored[key];
        if (value === null) expect(got).toBeUndefined();
        else if (isPlainObject(value)) {
          if (got !== undefined) written(value, isPlainObject(got) ? got : {});
        } else expect(got).toEqual(value);
      }
    };
    fc.assert(
      fc.property(currentArb, requestArb, (current, req) => {
        const { next } = update(current, req, T1, BIG);
        if (req.state === null) return;
        if (req.state.desired) written(req.state.desired, next.state.desired);
        if (req.state.reported) written(req.state.reported, next.state.reported);
      }),
    );
  });

  it('is idempotent on state: applying the same request twice stores the same state', () => {
    fc.assert(
      fc.property(currentArb, requestArb, (current, req) => {
        const once = update(current, req, T1, BIG).next;
        const twice = update(once, req, T2, BIG).next;
        expect(twice.state).toEqual(once.state);
      }),
    );
  });

  it('leaves sections the request did not name untouched, metadata included', () => {
    fc.assert(
      fc.property(docArb, patchObjectArb, (current, patch) => {
        const { next } = update(current, { state: { reported: patch } }, T1, BIG);
        expect(next.state.desired).toBe(current.state.desired);
        expect(next.metadata.desired).toBe(current.metadata.desired);
      }),
    );
  });

  it('publishes update/delta exactly when the rules say so', () => {
    fc.assert(
      fc.property(currentArb, requestArb, fc.constantFrom<UpdateOptions['deltaOn']>('desired-updates', 'any-update'), (current, req, deltaOn) => {
        const out = update(current, req, T1, { ...BIG, deltaOn });
        const delta = computeDelta(out.next.state.desired, out.next.state.reported);
        const namedDesired = req.state !== null && req.state.desired !== undefined;
        const expected = delta !== undefined && (deltaOn === 'any-update' || namedDesired);
        expect(out.deltaDoc !== undefined).toBe(expected);
        if (out.deltaDoc) {
          expect(out.deltaDoc.state).toEqual(delta);
          expect(mirrors(delta ?? {}, out.deltaDoc.metadata as MetadataNode)).toBe(true);
        }
      }),
    );
  });
});

describe('computeDelta properties', () => {
  it('is undefined for equal desired and reported', () => {
    fc.assert(
      fc.property(stateObjectArb, (state) => {
        expect(computeDelta(state, state)).toBeUndefined();
        expect(computeDelta(state, structuredClone(state))).toBeUndefined();
      }),
    );
  });

  it('is undefined whenever reported extends desired', () => {
    fc.assert(
      fc.property(stateObjectArb, stateObjectArb, (rawDesired, extra) => {
        // Stored desired never holds empty objects, so normalize the generated one the same way.
        const desired = mergeState(undefined, rawDesired);
        const reported = mergeState(extra, desired ?? {});
        expect(computeDelta(desired, reported)).toBeUndefined();
      }),
    );
  });

  it('only holds desired values at desired paths, each differing from reported', () => {
    const check = (delta: JsonObject, desired: JsonObject, reported: JsonObject | undefined): void => {
      for (const key of Object.keys(delta)) {
        expect(Object.hasOwn(desired, key)).toBe(true);
        const d = delta[key] ?? null;
        const want = desired[key] ?? null;
        const rep = reported !== undefined && Object.hasOwn(reported, key) ? reported[key] : undefined;
        if (isPlainObject(d) && isPlainObject(want) && isPlainObject(rep)) check(d, want, rep);
        else {
          expect(d).toEqual(want);
          expect(rep !== undefined && jsonEqual(want, rep)).toBe(false);
        }
      }
    };
    fc.assert(
      fc.property(stateObjectArb, fc.option(stateObjectArb, { nil: undefined }), (desired, reported) => {
        const delta = computeDelta(desired, reported);
        if (delta === undefined) return;
        expect(Object.keys(delta).length).toBeGreaterThan(0);
        check(delta, desired, reported);
      }),
    );
  });
});

describe('json helpers', () => {
  it('measures depth with scalars at 0 and containers adding one level', () => {
    expect(jsonDepth(1)).toBe(0);
    expect(jsonDepth({})).toBe(1);
    expect(jsonDepth({ a: [1, { b: 2 }] })).toBe(3);
    expect(jsonDepth({ a: { b: { c: { d: 1 } } } }, 2)).toBeGreaterThan(2);
  });

  it('compares structurally, ignoring key order', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(jsonEqual({ a: 1 }, [1])).toBe(false);
  });
});
