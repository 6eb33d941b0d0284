import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  MAX_PAYLOAD_BYTES,
  parseTokenOnlyRequest,
  parseUpdateRequest,
  type ShadowRequestError,
} from '../../src/cloud/shadow/request.js';
import type { Json, JsonObject } from '../../src/cloud/shadow/json.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const json = (value: unknown): Uint8Array => bytes(JSON.stringify(value));

function rejection(result: { ok: true } | { ok: false; error: ShadowRequestError }): ShadowRequestError {
  if (result.ok) throw new Error('expected a rejection');
  return result.error;
}

/** `{"a":{"a":…{"a":1}}}` with `levels` objects. */
function nested(levels: number): JsonObject {
  let value: Json = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value as JsonObject;
}

describe('parseUpdateRequest: accepted payloads', () => {
  it('parses state, clientToken and version', () => {
    const r = parseUpdateRequest(json({ state: { desired: { a: 1 }, reported: { b: [1, 2] } }, clientToken: 't', version: 12 }));
    expect(r).toEqual({ ok: true, value: { state: { desired: { a: 1 }, reported: { b: [1, 2] } }, clientToken: 't', version: 12 } });
  });

  it('omits clientToken and version when absent', () => {
    const r = parseUpdateRequest(json({ state: { reported: { a: 1 } } }));
    expect(r.ok && Object.keys(r.value)).toEqual(['state']);
  });

  it('keeps nulls: "state": null, section nulls and nested nulls', () => {
    expect(parseUpdateRequest(json({ state: null }))).toEqual({ ok: true, value: { state: null } });
    expect(parseUpdateRequest(json({ state: { desired: null, reported: { a: null, b: { c: null } } } }))).toEqual({
      ok: true,
      value: { state: { desired: null, reported: { a: null, b: { c: null } } } },
    });
  });

  it('accepts an empty state and empty sections', () => {
    expect(parseUpdateRequest(json({ state: {} }))).toEqual({ ok: true, value: { state: {} } });
    expect(parseUpdateRequest(json({ state: { desired: {} } }))).toEqual({ ok: true, value: { state: { desired: {} } } });
  });

  it('accepts version 0 and ignores unknown top-level keys', () => {
    const r = parseUpdateRequest(json({ state: {}, version: 0, timestamp: 5, metadata: {} }));
    expect(r).toEqual({ ok: true, value: { state: {}, version: 0 } });
  });

  it('accepts a clientToken of exactly 64 bytes and an empty one', () => {
    expect(parseUpdateRequest(json({ state: {}, clientToken: 'x'.repeat(64) })).ok).toBe(true);
    expect(parseUpdateRequest(json({ state: {}, clientToken: 'é'.repeat(32) })).ok).toBe(true);
    expect(parseUpdateRequest(json({ state: {}, clientToken: '' }))).toEqual({ ok: true, value: { state: {}, clientToken: '' } });
  });

  it('accepts exactly 6 levels below desired/reported, counting arrays', () => {
    expect(parseUpdateRequest(json({ state: { desired: nested(6) } })).ok).toBe(true);
    expect(parseUpdateRequest(json({ state: { reported: { a: [[[[[1]]]]] } } })).ok).toBe(true);
  });

  it('accepts nulls in objects but not in arrays, and objects inside arrays', () => {
    expect(parseUpdateRequest(json({ state: { reported: { l: [{ a: 1 }, [2]] } } })).ok).toBe(true);
  });

  it('accepts a UTF-8 BOM and surrounding whitespace', () => {
    expect(parseUpdateRequest(bytes('\uFEFF  {"state":{}}\n')).ok).toBe(true);
  });

  it('accepts a payload of exactly 128 KB', () => {
    const base = JSON.stringify({ state: { reported: { s: '' } } });
    const payload = bytes(JSON.stringify({ state: { reported: { s: 'x'.repeat(MAX_PAYLOAD_BYTES - base.length) } } }));
    expect(payload.byteLength).toBe(MAX_PAYLOAD_BYTES);
    expect(parseUpdateRequest(payload).ok).toBe(true);
  });

  it('keeps keys such as __proto__ as data', () => {
    const r = parseUpdateRequest(bytes('{"state":{"reported":{"__proto__":{"x":1}}}}'));
    expect(r.ok && JSON.stringify(r.value.state)).toBe('{"reported":{"__proto__":{"x":1}}}');
  });
});

describe('parseUpdateRequest: rejections', () => {
  const cases: Array<[string, string | Uint8Array, number, string]> = [
    ['empty payload', '', 400, 'Invalid JSON'],
    ['whitespace', '  ', 400, 'Invalid JSON'],
    ['unparsable', '{"state":', 400, 'Invalid JSON'],
    ['array', '[{"state":{}}]', 400, 'Invalid JSON'],
    ['string', '"state"', 400, 'Invalid JSON'],
    ['null', 'null', 400, 'Invalid JSON'],
    ['number', '12', 400, 'Invalid JSON'],
    ['non-UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), 400, 'Invalid JSON'],
    ['overlong UTF-8', new Uint8Array([0x7b, 0xc0, 0xaf, 0x7d]), 400, 'Invalid JSON'],
    ['missing state', '{"version":1}', 400, 'Missing required node: state'],
    ['state string', '{"state":"x"}', 400, 'State node must be an object'],
    ['state array', '{"state":[]}', 400, 'State node must be an object'],
    ['state number', '{"state":1}', 400, 'State node must be an object'],
    ['desired scalar', '{"state":{"desired":1}}', 400, 'Desired node must be an object'],
    ['desired array', '{"state":{"desired":[]}}', 400, 'Desired node must be an object'],
    ['reported string', '{"state":{"reported":"on"}}', 400, 'Reported node must be an object'],
    ['reported array', '{"state":{"reported":[1]}}', 400, 'Reported node must be an object'],
    ['delta in state', '{"state":{"delta":{"a":1}}}', 400, 'State contains an invalid node'],
    ['delta null in state', '{"state":{"desired":{"a":1},"delta":null}}', 400, 'State contains an invalid node'],
    ['unknown state key', '{"state":{"wanted":{"a":1}}}', 400, 'State contains an invalid node'],
    ['null in array', '{"state":{"reported":{"l":[1,null]}}}', 400, 'State contains an invalid node'],
    ['null in nested array', '{"state":{"desired":{"l":[[null]]}}}', 400, 'State contains an invalid node'],
    ['null in object in array', '{"state":{"desired":{"l":[{"a":null}]}}}', 400, 'State contains an invalid node'],
    ['overflowing number', '{"state":{"reported":{"t":1e400}}}', 400, 'Invalid JSON'],
    ['version string', '{"state":{},"version":"2"}', 400, 'Invalid version'],
    ['version negative', '{"state":{},"version":-1}', 400, 'Invalid version'],
    ['version fraction', '{"state":{},"version":1.5}', 400, 'Invalid version'],
    ['version null', '{"state":{},"version":null}', 400, 'Invalid version'],
    ['version huge', '{"state":{},"version":1e300}', 400, 'Invalid version'],
    ['clientToken number', '{"state":{},"clientToken":5}', 400, 'Invalid clientToken'],
    ['clientToken null', '{"state":{},"clientToken":null}', 400, 'Invalid clientToken'],
    ['clientToken 65 bytes', JSON.stringify({ state: {}, clientToken: 'x'.repeat(65) }), 400, 'Invalid clientToken'],
    ['clientToken 33 two-byte chars', JSON.stringify({ state: {}, clientToken: 'é'.repeat(33) }), 400, 'Invalid clientToken'],
    ['desired 7 levels', JSON.stringify({ state: { desired: nested(7) } }), 400, 'JSON contains too many levels of nesting; maximum is 6'],
    ['reported 7 levels via arrays', JSON.stringify({ state: { reported: { a: [[[[[[1]]]]]] } } }), 400, 'JSON contains too many levels of nesting; maximum is 6'],
    ['too large', new Uint8Array(MAX_PAYLOAD_BYTES + 1).fill(0x20), 413, 'The payload exceeds the maximum size allowed'],
  ];

  it.each(cases)('%s', (_name, payload, code, message) => {
    const r = parseUpdateRequest(typeof payload === 'string' ? bytes(payload) : payload);
    expect(r).toEqual({ ok: false, error: { code, message } });
  });

  it('returns the clientToken alongside errors found after it was read', () => {
    const withToken: Array<[JsonObject, string]> = [
      [{ clientToken: 'tok' }, 'Missing required node: state'],
      [{ clientToken: 'tok', state: 5 }, 'State node must be an object'],
      [{ clientToken: 'tok', state: { desired: 'x' } }, 'Desired node must be an object'],
      [{ clientToken: 'tok', state: { reported: 'x' } }, 'Reported node must be an object'],
      [{ clientToken: 'tok', state: { delta: {} } }, 'State contains an invalid node'],
      [{ clientToken: 'tok', state: { reported: { l: [null] } } }, 'State contains an invalid node'],
      [{ clientToken: 'tok', state: { desired: nested(7) } }, 'JSON contains too many levels of nesting; maximum is 6'],
      [{ clientToken: 'tok', state: {}, version: 'x' }, 'Invalid version'],
    ];
    for (const [body, message] of withToken) {
      expect(rejection(parseUpdateRequest(json(body)))).toEqual({ code: 400, message, clientToken: 'tok' });
    }
  });

  it('cannot echo a clientToken it could not read', () => {
    expect(rejection(parseUpdateRequest(bytes('{"clientToken":"tok","state":')))).toEqual({ code: 400, message: 'Invalid JSON' });
    expect(rejection(parseUpdateRequest(json({ clientToken: 7, state: 5 })))).toEqual({ code: 400, message: 'Invalid clientToken' });
  });

  it('survives absurdly deep nesting without blowing the stack', () => {
    const depth = 60_000;
    const deep = bytes(`{"state":{"desired":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}}`);
    expect(rejection(parseUpdateRequest(deep)).code).toBe(400);
  });
});

describe('parseTokenOnlyRequest', () => {
  it('accepts an empty or whitespace payload', () => {
    expect(parseTokenOnlyRequest(new Uint8Array(0))).toEqual({ ok: true, value: {} });
    expect(parseTokenOnlyRequest(bytes(' \n'))).toEqual({ ok: true, value: {} });
  });

  it('reads only clientToken and ignores everything else', () => {
    expect(parseTokenOnlyRequest(json({ clientToken: 't' }))).toEqual({ ok: true, value: { clientToken: 't' } });
    expect(parseTokenOnlyRequest(json({ clientToken: 't', state: 5, version: 'x' }))).toEqual({ ok: true, value: { clientToken: 't' } });
    expect(parseTokenOnlyRequest(json({}))).toEqual({ ok: true, value: {} });
  });

  it('rejects payloads that are not a UTF-8 JSON object', () => {
    for (const payload of [bytes('{'), bytes('[]'), bytes('"t"'), new Uint8Array([0xff])]) {
      expect(parseTokenOnlyRequest(payload)).toEqual({ ok: false, error: { code: 400, message: 'Invalid JSON' } });
    }
  });

  it('rejects an invalid clientToken', () => {
    for (const clientToken of [1, null, 'x'.repeat(65), { a: 1 }]) {
      expect(parseTokenOnlyRequest(json({ clientToken }))).toEqual({ ok: false, error: { code: 400, message: 'Invalid clientToken' } });
    }
  });

  it('rejects payloads over 128 KB with 413', () => {
    expect(parseTokenOnlyRequest(new Uint8Array(MAX_PAYLOAD_BYTES + 1).fill(0x20))).toEqual({
      ok: false,
      error: { code: 413, message: 'The payload exceeds the maximum size allowed' },
    });
  });
});

describe('parseUpdateRequest properties', () => {
  const keyArb = fc.constantFrom('a', 'b', 'on', '__proto__');
  const { value: valueArb } = fc.letrec<{ value: Json }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.boolean(),
      fc.integer(),
      fc.string({ maxLength: 4 }),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(keyArb, tie('value'), { maxKeys: 3, noNullPrototype: true }),
    ),
  }));
  const sectionArb = fc.dictionary(keyArb, fc.oneof(valueArb, fc.constant(null)), { maxKeys: 3, noNullPrototype: true });

  it('round-trips any valid request within the depth limit', () => {
    fc.assert(
      fc.property(
        fc.option(sectionArb, { nil: undefined }),
        fc.option(sectionArb, { nil: undefined }),
        fc.option(fc.string({ maxLength: 16 }), { nil: undefined }),
        fc.option(fc.nat(), { nil: undefined }),
        (desired, reported, clientToken, version) => {
          const state: JsonObject = {};
          if (desired !== undefined) state.desired = desired;
          if (reported !== undefined) state.reported = reported;
          const body: JsonObject = { state };
          if (clientToken !== undefined) body.clientToken = clientToken;
          if (version !== undefined) body.version = version;
          const tooDeep = [desired, reported].some((s) => s !== undefined && depthOf(s) > 6);
          const r = parseUpdateRequest(json(body));
          if (tooDeep) {
            expect(r.ok).toBe(false);
            return;
          }
          expect(r).toEqual({ ok: true, value: JSON.parse(JSON.stringify(body)) as unknown });
        },
      ),
    );
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (payload) => {
        const r = parseUpdateRequest(payload);
        if (!r.ok) expect([400, 413]).toContain(r.error.code);
        parseTokenOnlyRequest(payload);
      }),
    );
  });
});

function depthOf(value: Json): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}
