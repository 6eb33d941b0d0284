/**
 * The exact bodies the Device Shadow service publishes (spec §8.2). Key order follows AWS's
 * examples so serialized documents read the same as the real service's.
 */
import { objectDiff, type Json, type JsonObject } from './json.js';
import type { MetadataObject, ShadowDocument, ShadowError, ShadowUpdateRequest } from './merge.js';

// A clientToken is echoed only when the request carried one (an empty string is still a token).
function withToken(body: JsonObject, clientToken: string | undefined): JsonObject {
  if (clientToken !== undefined) body.clientToken = clientToken;
  return body;
}

/** Copies the present sections only, desired before reported, so no `undefined` reaches JSON. */
function sections<T extends Json>(src: { desired?: T; reported?: T }): { [k: string]: T } {
  const out: { [k: string]: T } = {};
  if (src.desired !== undefined) out.desired = src.desired;
  if (src.reported !== undefined) out.reported = src.reported;
  return out;
}

/** `{state, metadata, version}` as used inside update/documents; states never carry a delta there. */
export function shadowSnapshot(doc: ShadowDocument): JsonObject {
  return { state: sections(doc.state), metadata: sections(doc.metadata), version: doc.version };
}

/** get/accepted: the stored document plus `state.delta` when desired and reported differ. */
export function getAcceptedDoc(doc: ShadowDocument, nowSec: number, clientToken?: string): JsonObject {
  const state: JsonObject = sections(doc.state);
  const delta = doc.state.desired === undefined ? undefined : objectDiff(doc.state.desired, doc.state.reported);
  if (delta !== undefined) state.delta = delta;
  return withToken(
    { state, metadata: sections(doc.metadata), version: doc.version, timestamp: nowSec },
    clientToken,
  );
}

/** delete/accepted: the version the shadow had when it was deleted. */
export function deleteAcceptedDoc(version: number, nowSec: number, clientToken?: string): JsonObject {
  return withToken({ version, timestamp: nowSec }, clientToken);
}

/** Every rejected response (get, update, delete): `code` is the HTTP status as an integer. */
export function rejectedDoc(e: ShadowError, nowSec: number, clientToken?: string): JsonObject {
  return withToken({ code: e.code, message: e.message, timestamp: nowSec }, clientToken);
}

/** update/accepted: the request state exactly as sent (nulls included) with timestamps for those fields. */
export function updateAcceptedDoc(
  requestState: ShadowUpdateRequest['state'],
  metadata: MetadataObject,
  version: number,
  nowSec: number,
  clientToken?: string,
): JsonObject {
  const state: Json = requestState === null ? null : sections(requestState);
  return withToken({ state, metadata, version, timestamp: nowSec }, clientToken);
}

/** update/delta: `state` holds the delta itself, `metadata` the desired timestamps of its keys. */
export function updateDeltaDoc(
  delta: JsonObject,
  metadata: MetadataObject,
  version: number,
  nowSec: number,
  clientToken?: string,
): JsonObject {
  return withToken({ state: delta, metadata, version, timestamp: nowSec }, clientToken);
}

/** update/documents: `previous` is omitted when the update created the shadow. */
export function updateDocumentsDoc(
  previous: ShadowDocument | undefined,
  current: ShadowDocument,
  nowSec: number,
  clientToken?: string,
): JsonObject {
  const body: JsonObject = {};
  if (previous !== undefined) body.previous = shadowSnapshot(previous);
  body.current = shadowSnapshot(current);
  body.timestamp = nowSec;
  return withToken(body, clientToken);
}
