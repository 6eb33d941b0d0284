import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  deleteAcceptedDoc,
  getAcceptedDoc,
  rejectedDoc,
  shadowSnapshot,
  updateAcceptedDoc,
  updateDeltaDoc,
  updateDocumentsDoc,
} from '../../src/cloud/shadow/documents.js';
import { applyShadowUpdate, shadowNotFound, ShadowMessages, DEFAULT_UPDATE_OPTIONS, type ShadowDocument } from '../../src/cloud/shadow/merge.js';
import type { JsonObject } from '../../src/cloud/shadow/json.js';

const NOW = 1_767_225_700;
const leaf = (timestamp: number) => ({ timestamp });

// The GET example of spec §8.2.
const SPEC_DOC: ShadowDocument = {
  state: { desired: { ledColor: 'green' }, reported: { ledColor: 'red', tempUnit: 'fahrenheit' } },
  metadata: {
    desired: { ledColor: leaf(1_767_225_600) },
    reported: { ledColor: leaf(1_767_225_500), tempUnit: leaf(1_767_225_500) },
  },
  version: 7,
};

describe('getAcceptedDoc', () => {
  it('matches the spec example, delta included, byte for byte', () => {
    expect(JSON.stringify(getAcceptedDoc(SPEC_DOC, NOW, 't'))).toBe(
      '{"state":{"desired":{"ledColor":"green"},"reported":{"ledColor":"red","tempUnit":"fahrenheit"},' +
        '"delta":{"ledColor":"green"}},' +
        '"metadata":{"desired":{"ledColor":{"timestamp":1767225600}},' +
        '"reported":{"ledColor":{"timestamp":1767225500},"tempUnit":{"timestamp":1767225500}}},' +
        '"version":7,"timestamp":1767225700,"clientToken":"t"}',
    );
  });

  it('omits delta when desired is fully reported, and the clientToken when none was sent', () => {
    const doc: ShadowDocument = {
      state: { desired: { a: 1 }, reported: { a: 1.0, b: 2 } },
      metadata: { desired: { a: leaf(1) }, reported: { a: leaf(1), b: leaf(1) } },
      version: 3,
    };
    expect(getAcceptedDoc(doc, NOW)).toEqual({
      state: { desired: { a: 1 }, reported: { a: 1, b: 2 } },
      metadata: { desired: { a: leaf(1) }, reported: { a: leaf(1), b: leaf(1) } },
      version: 3,
      timestamp: NOW,
    });
  });

  it('shows the whole desired state as delta when nothing is reported', () => {
    const doc: ShadowDocument = { state: { desired: { fan: { speed: 2 } } }, metadata: { desired: { fan: { speed: leaf(1) } } }, version: 1 };
    expect(getAcceptedDoc(doc, NOW).state).toEqual({ desired: { fan: { speed: 2 } }, delta: { fan: { speed: 2 } } });
  });

  it('omits absent sections and gives empty state/metadata for an emptied shadow', () => {
    const reportedOnly: ShadowDocument = { state: { reported: { a: 1 } }, metadata: { reported: { a: leaf(1) } }, version: 2 };
    expect(getAcceptedDoc(reportedOnly, NOW).state).toEqual({ reported: { a: 1 } });
    expect(getAcceptedDoc({ state: {}, metadata: {}, version: 4 }, NOW, 'c')).toEqual({
      state: {},
      metadata: {},
      version: 4,
      timestamp: NOW,
      clientToken: 'c',
    });
  });

  it('keeps the key order state, metadata, version, timestamp, clientToken', () => {
    expect(Object.keys(getAcceptedDoc(SPEC_DOC, NOW, 't'))).toEqual(['state', 'metadata', 'version', 'timestamp', 'clientToken']);
    expect(Object.keys(getAcceptedDoc(SPEC_DOC, NOW).state as JsonObject)).toEqual(['desired', 'reported', 'delta']);
  });

  it('does not modify the stored document', () => {
    const before = structuredClone(SPEC_DOC);
    getAcceptedDoc(SPEC_DOC, NOW, 't');
    expect(SPEC_DOC).toEqual(before);
  });
});

describe('deleteAcceptedDoc', () => {
  it('is {version, timestamp} plus the clientToken when given', () => {
    expect(JSON.stringify(deleteAcceptedDoc(7, NOW))).toBe('{"version":7,"timestamp":1767225700}');
    expect(JSON.stringify(deleteAcceptedDoc(7, NOW, 'd'))).toBe('{"version":7,"timestamp":1767225700,"clientToken":"d"}');
  });
});

describe('rejectedDoc', () => {
  it('carries the integer code, message, timestamp and clientToken', () => {
    expect(JSON.stringify(rejectedDoc({ code: 409, message: ShadowMessages.versionConflict }, NOW, 't'))).toBe(
      '{"code":409,"message":"Version conflict","timestamp":1767225700,"clientToken":"t"}',
    );
    expect(rejectedDoc(shadowNotFound('config'), NOW)).toEqual({
      code: 404,
      message: 'No shadow exists with name: config',
      timestamp: NOW,
    });
  });

  it('echoes an empty-string clientToken', () => {
    expect(rejectedDoc({ code: 400, message: 'Invalid JSON' }, NOW, '')).toHaveProperty('clientToken', '');
  });
});

describe('update document builders', () => {
  it('updateAcceptedDoc keeps "state": null and the request sections as sent', () => {
    expect(updateAcceptedDoc(null, {}, 2, NOW)).toEqual({ state: null, metadata: {}, version: 2, timestamp: NOW });
    expect(JSON.stringify(updateAcceptedDoc({ reported: { a: null }, desired: null }, { desired: leaf(NOW) }, 3, NOW, 't'))).toBe(
      `{"state":{"desired":null,"reported":{"a":null}},"metadata":{"desired":{"timestamp":${NOW}}},"version":3,"timestamp":${NOW},"clientToken":"t"}`,
    );
  });

  it('updateDeltaDoc puts the delta directly under state', () => {
    expect(JSON.stringify(updateDeltaDoc({ a: 1 }, { a: leaf(5) }, 9, NOW, 'k'))).toBe(
      `{"state":{"a":1},"metadata":{"a":{"timestamp":5}},"version":9,"timestamp":${NOW},"clientToken":"k"}`,
    );
  });

  it('updateDocumentsDoc has previous and current without delta, previous omitted on creation', () => {
    const current: ShadowDocument = { ...SPEC_DOC, version: 8 };
    expect(updateDocumentsDoc(SPEC_DOC, current, NOW, 't')).toEqual({
      previous: { state: SPEC_DOC.state, metadata: SPEC_DOC.metadata, version: 7 },
      current: { state: SPEC_DOC.state, metadata: SPEC_DOC.metadata, version: 8 },
      timestamp: NOW,
      clientToken: 't',
    });
    expect(updateDocumentsDoc(undefined, current, NOW)).toEqual({
      current: { state: SPEC_DOC.state, metadata: SPEC_DOC.metadata, version: 8 },
      timestamp: NOW,
    });
  });

  it('shadowSnapshot never includes a delta', () => {
    expect(shadowSnapshot(SPEC_DOC)).toEqual({ state: SPEC_DOC.state, metadata: SPEC_DOC.metadata, version: 7 });
  });
});

describe('documents after real updates', () => {
  it('get/accepted after a desired change shows the nested delta with its path', () => {
    const opts = DEFAULT_UPDATE_OPTIONS;
    const first = applyShadowUpdate(undefined, { state: { reported: { fan: { speed: 1, swing: true }, mode: 'cool' } } }, 100, opts);
    if (!first.ok) throw new Error('rejected');
    const second = applyShadowUpdate(first.value.next, { state: { desired: { fan: { speed: 3 }, mode: 'cool' } } }, 200, opts);
    if (!second.ok) throw new Error('rejected');
    const get = getAcceptedDoc(second.value.next, 300);
    expect(get).toEqual({
      state: {
        desired: { fan: { speed: 3 }, mode: 'cool' },
        reported: { fan: { speed: 1, swing: true }, mode: 'cool' },
        delta: { fan: { speed: 3 } },
      },
      metadata: {
        desired: { fan: { speed: leaf(200) }, mode: leaf(200) },
        reported: { fan: { speed: leaf(100), swing: leaf(100) }, mode: leaf(100) },
      },
      version: 2,
      timestamp: 300,
    });
    expect(second.value.deltaDoc?.state).toEqual((get.state as JsonObject).delta);
  });

  it('every document serializes to JSON that parses back to itself', () => {
    const stateArb = fc.dictionary(fc.constantFrom('a', 'b', '__proto__'), fc.oneof(fc.integer(), fc.string({ maxLength: 3 })), {
      maxKeys: 3,
      noNullPrototype: true,
    });
    fc.assert(
      fc.property(stateArb, stateArb, fc.option(fc.string({ maxLength: 8 }), { nil: undefined }), (desired, reported, token) => {
        const r = applyShadowUpdate(undefined, { state: { desired, reported }, ...(token === undefined ? {} : { clientToken: token }) }, NOW, DEFAULT_UPDATE_OPTIONS);
        if (!r.ok) throw new Error('rejected');
        const docs = [r.value.acceptedDoc, r.value.documentsDoc, getAcceptedDoc(r.value.next, NOW, token), ...(r.value.deltaDoc ? [r.value.deltaDoc] : [])];
        for (const doc of docs) {
          expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
          expect(Object.hasOwn(doc, 'clientToken')).toBe(token !== undefined);
        }
      }),
    );
  });
});
