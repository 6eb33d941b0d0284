/**
 * Device Shadow update semantics (spec §8.3–8.4): merge, delta, metadata and versions. Pure: time
 * arrives as `nowSec`. Results may share subtrees with their inputs, so nobody may mutate them.
 */
import { err, ok, type Result } from '../../core/result.js';
import { getOwn, isPlainObject, objectDiff, setOwn, utf8Length, type Json, type JsonObject } from './json.js';
import { updateAcceptedDoc, updateDeltaDoc, updateDocumentsDoc } from './documents.js';

export type MetadataNode = { timestamp: number } | MetadataObject | MetadataNode[];
export type MetadataObject = { [k: string]: MetadataNode };

/** What the store keeps. The delta is derived on read, never stored. */
export interface ShadowDocument {
  state: { desired?: JsonObject; reported?: JsonObject };
  metadata: { desired?: MetadataObject; reported?: MetadataObject };
  version: number;
}

/** A validated update request (see request.ts); `null` means "delete" at every level. */
export interface ShadowUpdateRequest {
  state: { desired?: JsonObject | null; reported?: JsonObject | null } | null;
  clientToken?: string;
  version?: number;
}

export type ShadowErrorCode = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500;

export interface ShadowError {
  code: ShadowErrorCode;
  message: string;
}

/** Error messages exactly as AWS words them (spec §8.5). */
export const ShadowMessages = {
  invalidJson: 'Invalid JSON',
  missingState: 'Missing required node: state',
  stateNotObject: 'State node must be an object',
  desiredNotObject: 'Desired node must be an object',
  reportedNotObject: 'Reported node must be an object',
  invalidVersion: 'Invalid version',
  invalidClientToken: 'Invalid clientToken',
  tooDeep: 'JSON contains too many levels of nesting; maximum is 6',
  invalidNode: 'State contains an invalid node',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  thingNotFound: 'Thing not found',
  versionConflict: 'Version conflict',
  payloadTooLarge: 'The payload exceeds the maximum size allowed',
  unsupportedEncoding: 'Unsupported documented encoding; supported encoding is UTF-8',
  internal: 'Internal service failure',
} as const;

/** 404 for get/delete of a shadow that does not exist. */
export const shadowNotFound = (shadowName: string): ShadowError => ({
  code: 404,
  message: `No shadow exists with name: ${shadowName}`,
});

export interface UpdateOptions {
  /** Limit on the UTF-8 JSON size of the resulting `{desired, reported}` (metadata excluded). */
  maxStateBytes: number;
  /**
   * 'desired-updates': publish update/delta only when the request carried `state.desired` (AWS
   * docs' reading); 'any-update': after any accepted update with a non-empty delta (Greengrass).
   */
  deltaOn: 'desired-updates' | 'any-update';
  /** Version of a previously deleted shadow: a re-creation continues from it. */
  deletedVersion?: number;
}

export const DEFAULT_MAX_STATE_BYTES = 8192;

export const DEFAULT_UPDATE_OPTIONS: Readonly<UpdateOptions> = {
  maxStateBytes: DEFAULT_MAX_STATE_BYTES,
  deltaOn: 'desired-updates',
};

export interface UpdateOutcome {
  next: ShadowDocument;
  acceptedDoc: JsonObject;
  /** Absent: do not publish update/delta. */
  deltaDoc?: JsonObject;
  documentsDoc: JsonObject;
}

type Section = 'desired' | 'reported';
const SECTIONS: readonly Section[] = ['desired', 'reported'];

/**
 * Applies one validated update. Returns 409 on a `version` mismatch and 413 when the resulting
 * state outgrows `opts.maxStateBytes`; request-level validation (400s) belongs to request.ts.
 */
export function applyShadowUpdate(
  current: ShadowDocument | undefined,
  req: ShadowUpdateRequest,
  nowSec: number,
  opts: UpdateOptions,
): Result<UpdateOutcome, ShadowError> {
  // A shadow that does not exist yet sits at version 0, or at the version it was deleted at.
  const baseVersion = current?.version ?? opts.deletedVersion ?? 0;
  if (req.version !== undefined && req.version !== baseVersion) {
    return err({ code: 409, message: ShadowMessages.versionConflict });
  }

  const next = nextDocument(current, req.state, nowSec, baseVersion + 1);
  if (stateBytes(next) > opts.maxStateBytes) {
    return err({ code: 413, message: ShadowMessages.payloadTooLarge });
  }

  const acceptedDoc = updateAcceptedDoc(req.state, requestMetadata(req.state, nowSec), next.version, nowSec, req.clientToken);
  const documentsDoc = updateDocumentsDoc(current, next, nowSec, req.clientToken);

  const delta = computeDelta(next.state.desired, next.state.reported);
  const requestedDesired = req.state !== null && req.state.desired !== undefined;
  if (delta === undefined || (opts.deltaOn === 'desired-updates' && !requestedDesired)) {
    return ok({ next, acceptedDoc, documentsDoc });
  }
  const deltaMeta = deltaMetadata(delta, next.metadata.desired, nowSec);
  const deltaDoc = updateDeltaDoc(delta, deltaMeta, next.version, nowSec, req.clientToken);
  return ok({ next, acceptedDoc, deltaDoc, documentsDoc });
}

/** Desired keys that reported lacks or holds differently; undefined when there are none. */
export function computeDelta(desired: JsonObject | undefined, reported: JsonObject | undefined): JsonObject | undefined {
  return desired === undefined ? undefined : objectDiff(desired, reported);
}

function nextDocument(
  current: ShadowDocument | undefined,
  requestState: ShadowUpdateRequest['state'],
  nowSec: number,
  version: number,
): ShadowDocument {
  const next: ShadowDocument = { state: {}, metadata: {}, version };
  // `"state": null` clears both sections; the shadow itself survives with a new version.
  if (requestState === null) return next;
  for (const section of SECTIONS) {
    const patch = requestState[section];
    const state = current?.state[section];
    const meta = current?.metadata[section];
    if (patch === undefined) {
      if (state !== undefined) next.state[section] = state;
      if (meta !== undefined) next.metadata[section] = meta;
    } else if (patch !== null) {
      const merged = mergeState(state, patch);
      if (merged !== undefined) {
        next.state[section] = merged;
        next.metadata[section] = mergeMetadata(merged, meta, patch, nowSec);
      }
    }
  }
  return next;
}

/**
 * Merges `patch` into `current`: null deletes, objects merge recursively, scalars and arrays
 * replace wholesale. Objects left empty disappear, so a new object whose leaves are all null adds
 * nothing. Undefined when the result is empty. Inputs are not modified.
 */
export function mergeState(current: JsonObject | undefined, patch: JsonObject): JsonObject | undefined {
  const out: JsonObject = current === undefined ? {} : { ...current };
  for (const key of Object.keys(patch)) {
    const value = patch[key] ?? null;
    if (value === null) {
      delete out[key];
      continue;
    }
    if (isPlainObject(value)) {
      const existing = getOwn(out, key);
      const merged = mergeState(isPlainObject(existing) ? existing : undefined, value);
      if (merged === undefined) delete out[key];
      else setOwn(out, key, merged);
      continue;
    }
    setOwn(out, key, value);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Metadata for a value just written: objects map key by key, arrays element by element. */
export function metadataFor(value: Json, nowSec: number): MetadataNode {
  if (Array.isArray(value)) return value.map((item) => metadataFor(item, nowSec));
  if (isPlainObject(value)) {
    const out: MetadataObject = {};
    for (const key of Object.keys(value)) setOwn(out, key, metadataFor(value[key] ?? null, nowSec));
    return out;
  }
  return { timestamp: nowSec };
}

/** A metadata leaf is `{timestamp: <number>}`; a metadata object for a state key "timestamp" holds an object there. */
export function isMetadataObject(node: MetadataNode | undefined): node is MetadataObject {
  return node !== undefined && !Array.isArray(node) && typeof node.timestamp !== 'number';
}

/**
 * Metadata mirroring the merged `state` exactly: fields the patch touched get `nowSec`,
 * untouched fields keep their old timestamps.
 */
export function mergeMetadata(
  state: JsonObject,
  previous: MetadataObject | undefined,
  patch: JsonObject,
  nowSec: number,
): MetadataObject {
  const out: MetadataObject = {};
  for (const key of Object.keys(state)) {
    const value = state[key] ?? null;
    const old = previous === undefined ? undefined : getOwn(previous, key);
    if (!Object.hasOwn(patch, key)) {
      setOwn(out, key, old ?? metadataFor(value, nowSec));
      continue;
    }
    const touched = patch[key] ?? null;
    if (isPlainObject(value) && isPlainObject(touched)) {
      setOwn(out, key, mergeMetadata(value, isMetadataObject(old) ? old : undefined, touched, nowSec));
    } else {
      setOwn(out, key, metadataFor(value, nowSec));
    }
  }
  return out;
}

/** update/accepted metadata: a timestamp for every field the request named, nulls included. */
export function requestMetadata(requestState: ShadowUpdateRequest['state'], nowSec: number): MetadataObject {
  const out: MetadataObject = {};
  if (requestState === null) return out;
  for (const section of SECTIONS) {
    const patch = requestState[section];
    if (patch !== undefined) out[section] = metadataFor(patch, nowSec);
  }
  return out;
}

/** The desired-side metadata of exactly the delta's keys, following the delta's shape. */
export function deltaMetadata(delta: JsonObject, desiredMeta: MetadataObject | undefined, nowSec: number): MetadataObject {
  const out: MetadataObject = {};
  for (const key of Object.keys(delta)) {
    const value = delta[key] ?? null;
    const meta = desiredMeta === undefined ? undefined : getOwn(desiredMeta, key);
    if (isPlainObject(value) && isMetadataObject(meta)) setOwn(out, key, deltaMetadata(value, meta, nowSec));
    else setOwn(out, key, meta ?? metadataFor(value, nowSec));
  }
  return out;
}

/** Size counted against the state limit: `{"desired":…,"reported":…}` as UTF-8 JSON, metadata excluded. */
export function stateBytes(doc: ShadowDocument): number {
  return utf8Length(JSON.stringify(doc.state));
}
