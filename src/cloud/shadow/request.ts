/**
 * Turns raw shadow request payloads into typed requests, or into the 400/413 errors AWS answers
 * with (spec §8.5). Everything that can be judged from the payload alone is judged here.
 */
import { err, ok, type Result } from '../../core/result.js';
import { isPlainObject, jsonDepth, utf8Length, type Json, type JsonObject } from './json.js';
import { ShadowMessages, type ShadowError, type ShadowUpdateRequest } from './merge.js';

export const MAX_PAYLOAD_BYTES = 128 * 1024;
export const MAX_CLIENT_TOKEN_BYTES = 64;
/** Levels allowed below `desired`/`reported`: the section object itself is level 1. */
export const MAX_STATE_DEPTH = 6;

/** A rejection, carrying the request's clientToken whenever it could be read so it can be echoed. */
export type ShadowRequestError = ShadowError & { clientToken?: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

/** For update: `{"state":{"desired"?,"reported"?},"clientToken"?,"version"?}`. */
export function parseUpdateRequest(payload: Uint8Array): Result<ShadowUpdateRequest, ShadowRequestError> {
  const body = parseBody(payload);
  if (!body.ok) return body;
  if (body.value === undefined) return invalid(ShadowMessages.invalidJson, undefined);
  const token = readClientToken(body.value);
  if (!token.ok) return token;
  const clientToken = token.value;

  const state = readState(body.value);
  if (!state.ok) return invalid(state.error, clientToken);

  const request: ShadowUpdateRequest = { state: state.value };
  if (clientToken !== undefined) request.clientToken = clientToken;
  if (Object.hasOwn(body.value, 'version')) {
    const version = body.value.version;
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
      return invalid(ShadowMessages.invalidVersion, clientToken);
    }
    request.version = version;
  }
  return ok(request);
}

/** For get and delete: the payload may be empty; only `clientToken` is read. */
export function parseTokenOnlyRequest(payload: Uint8Array): Result<{ clientToken?: string }, ShadowRequestError> {
  const body = parseBody(payload);
  if (!body.ok) return body;
  if (body.value === undefined) return ok({});
  const token = readClientToken(body.value);
  if (!token.ok) return token;
  return ok(token.value === undefined ? {} : { clientToken: token.value });
}

/** The payload as a JSON object; undefined for an empty (or all-whitespace) payload. */
function parseBody(payload: Uint8Array): Result<JsonObject | undefined, ShadowRequestError> {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return err({ code: 413, message: ShadowMessages.payloadTooLarge });
  }
  let text: string;
  try {
    text = decoder.decode(payload);
  } catch {
    return invalid(ShadowMessages.invalidJson, undefined);
  }
  if (text.trim() === '') return ok(undefined);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return invalid(ShadowMessages.invalidJson, undefined);
  }
  return isPlainObject(parsed) ? ok(parsed) : invalid(ShadowMessages.invalidJson, undefined);
}

function readClientToken(body: JsonObject): Result<string | undefined, ShadowRequestError> {
  if (!Object.hasOwn(body, 'clientToken')) return ok(undefined);
  const token = body.clientToken;
  if (typeof token !== 'string' || utf8Length(token) > MAX_CLIENT_TOKEN_BYTES) {
    return invalid(ShadowMessages.invalidClientToken, undefined);
  }
  return ok(token);
}

function readState(body: JsonObject): Result<ShadowUpdateRequest['state'], string> {
  if (!Object.hasOwn(body, 'state')) return err(ShadowMessages.missingState);
  const state = body.state ?? null;
  if (state === null) return ok(null);
  if (!isPlainObject(state)) return err(ShadowMessages.stateNotObject);
  // `delta` is derived, never writable; any other key has no meaning in a shadow.
  if (Object.keys(state).some((key) => key !== 'desired' && key !== 'reported')) {
    return err(ShadowMessages.invalidNode);
  }
  const out: NonNullable<ShadowUpdateRequest['state']> = {};
  for (const section of ['desired', 'reported'] as const) {
    if (!Object.hasOwn(state, section)) continue;
    const value = state[section] ?? null;
    if (value === null) {
      out[section] = null;
      continue;
    }
    if (!isPlainObject(value)) {
      return err(section === 'desired' ? ShadowMessages.desiredNotObject : ShadowMessages.reportedNotObject);
    }
    // Depth first: it bounds the recursion of the node check below.
    if (jsonDepth(value, MAX_STATE_DEPTH) > MAX_STATE_DEPTH) return err(ShadowMessages.tooDeep);
    const problem = invalidNode(value, false);
    if (problem !== undefined) return err(problem);
    out[section] = value;
  }
  return ok(out);
}

/**
 * Arrays replace wholesale, so a null inside one could never mean "delete" and would leave a null
 * in the stored state. Non-finite numbers only come from overflowing literals such as 1e400,
 * which JSON cannot represent back.
 */
function invalidNode(value: Json, insideArray: boolean): string | undefined {
  if (value === null) return insideArray ? ShadowMessages.invalidNode : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : ShadowMessages.invalidJson;
  if (typeof value !== 'object') return undefined;
  const children = Array.isArray(value) ? value : Object.values(value);
  const nested = insideArray || Array.isArray(value);
  for (const child of children) {
    const problem = invalidNode(child, nested);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function invalid(message: string, clientToken: string | undefined): { ok: false; error: ShadowRequestError } {
  return err(clientToken === undefined ? { code: 400, message } : { code: 400, message, clientToken });
}
