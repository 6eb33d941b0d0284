/**
 * REST-JSON plumbing shared by the `iot` and `iot-jobs-data` routes: bodies parsed by us (the
 * AWS CLI and SDKs send JSON with or without a content type, and an empty body means `{}`),
 * query parameters typed, and results answered in AWS's shapes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { invalidRequest, type ControlPlaneError, type ControlPlaneErrorCode } from '../../cloud/control-plane-error.js';
import type { Result } from '../../core/result.js';
import { sendAwsError } from './errors.js';

/** `iot` exception names and statuses (spec §3.6): LimitExceeded is 410 there. */
const IOT_ERRORS: Record<ControlPlaneErrorCode, [number, string]> = {
  InvalidRequest: [400, 'InvalidRequestException'],
  ResourceNotFound: [404, 'ResourceNotFoundException'],
  ResourceAlreadyExists: [409, 'ResourceAlreadyExistsException'],
  InvalidStateTransition: [409, 'InvalidStateTransitionException'],
  VersionConflict: [409, 'VersionConflictException'],
  Conflict: [409, 'ConflictException'],
  LimitExceeded: [410, 'LimitExceededException'],
};

export function sendControlPlaneError(reply: FastifyReply, e: ControlPlaneError): FastifyReply {
  const [status, type] = IOT_ERRORS[e.code];
  return sendAwsError(reply, status, type, e.message, {
    ...(e.resourceId !== undefined ? { resourceId: e.resourceId } : {}),
    ...(e.resourceArn !== undefined ? { resourceArn: e.resourceArn } : {}),
  });
}

export function sendResult<T extends object>(reply: FastifyReply, r: Result<T, ControlPlaneError>): FastifyReply {
  return r.ok ? reply.header('content-type', 'application/json').send(r.value) : sendControlPlaneError(reply, r.error);
}

/** Takes every body as text, whatever its content type; routes parse it with `jsonBody`. */
export function acceptRawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
}

export type JsonBody = Record<string, unknown>;

export function jsonBody(body: unknown): Result<JsonBody, ControlPlaneError> {
  const text = typeof body === 'string' ? body : '';
  if (text.trim() === '') return { ok: true, value: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, error: { code: 'InvalidRequest', message: 'The request body is not valid JSON' } };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, error: { code: 'InvalidRequest', message: 'The request body must be a JSON object' } };
  return { ok: true, value: parsed as JsonBody };
}

type Query = Record<string, string | string[] | undefined>;

const one = (q: Query, name: string): string | undefined => {
  const v = q[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
};

export const queryString = one;

/** The named query parameters that are present, as strings (list filters). */
export function queryFilters(q: Query, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of names) {
    const v = one(q, k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export function queryInt(q: Query, name: string): Result<number | undefined, ControlPlaneError> {
  const v = one(q, name);
  if (v === undefined) return { ok: true, value: undefined };
  if (!/^-?\d+$/.test(v)) return { ok: false, error: { code: 'InvalidRequest', message: `${name} must be an integer` } };
  return { ok: true, value: Number(v) };
}

export function queryBool(q: Query, name: string): Result<boolean, ControlPlaneError> {
  const v = one(q, name);
  if (v === undefined || v === 'false') return { ok: true, value: false };
  if (v === 'true') return { ok: true, value: true };
  return { ok: false, error: { code: 'InvalidRequest', message: `${name} must be true or false` } };
}

/** maxResults + nextToken, as every list operation takes them. */
export function queryPage(q: Query): Result<{ maxResults?: number; nextToken?: string }, ControlPlaneError> {
  const maxResults = queryInt(q, 'maxResults');
  if (!maxResults.ok) return maxResults;
  const nextToken = one(q, 'nextToken');
  return { ok: true, value: { ...(maxResults.value !== undefined ? { maxResults: maxResults.value } : {}), ...(nextToken !== undefined && nextToken !== '' ? { nextToken } : {}) } };
}

export type JsonRequest = FastifyRequest<{ Params: Record<string, string>; Querystring: Query; Body: unknown }>;
type Outcome = Result<object, ControlPlaneError>;

export const pathParam = (req: JsonRequest, name: string): string => req.params[name] ?? '';

/** A route answering with its handler's result; a body that is not a JSON object is a 400 first. */
export const jsonRoute =
  (fn: (req: JsonRequest, body: JsonBody) => Outcome | Promise<Outcome>) =>
  async (req: JsonRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const body = jsonBody(req.body);
    if (!body.ok) return sendControlPlaneError(reply, body.error);
    return sendResult(reply, await fn(req, body.value));
  };

/** `jsonRoute` with the body validated by a schema; the 400's message names the member, as AWS's do. */
export const jsonRouteWith = <T>(schema: z.ZodType<T>, fn: (req: JsonRequest, body: T) => Outcome | Promise<Outcome>) =>
  jsonRoute((req, raw) => {
    const r = schema.safeParse(raw);
    if (r.success) return fn(req, r.data);
    const issue = r.error.issues[0];
    return { ok: false, error: invalidRequest(`1 validation error detected: Value at '${issue?.path.join('.') ?? ''}' failed to satisfy constraint: ${issue?.message ?? 'invalid'}`) };
  });
