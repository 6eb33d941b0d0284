/** Pagination of in-memory job lists: `maxResults` 1–250 and an opaque `nextToken` only while more remain (spec §3.1). */
import { err, ok, type Result } from '../../core/result.js';
import { invalidRequest, type ControlPlaneError } from '../control-plane-error.js';

export interface PageQuery {
  maxResults?: number;
  nextToken?: string;
}

export const MAX_RESULTS = 250;
const DEFAULT_MAX_RESULTS = 100;

/**
 * Offset tokens: job lists are in creation order, which has no key to resume after once an item
 * is deleted, and a shifted page is what AWS's eventually consistent lists give too.
 */
export function pageByOffset<T>(items: readonly T[], q: PageQuery): Result<{ items: T[]; nextToken?: string }, ControlPlaneError> {
  const limit = q.maxResults ?? DEFAULT_MAX_RESULTS;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RESULTS) return err(invalidRequest(`maxResults must be an integer between 1 and ${MAX_RESULTS}`));
  let offset = 0;
  if (q.nextToken !== undefined) {
    const decoded = decodeOffset(q.nextToken);
    if (decoded === undefined) return err(invalidRequest('The nextToken is invalid'));
    offset = decoded;
  }
  const page = items.slice(offset, offset + limit);
  const next = offset + limit;
  return ok({ items: page, ...(next < items.length ? { nextToken: Buffer.from(JSON.stringify({ offset: next }), 'utf8').toString('base64url') } : {}) });
}

function decodeOffset(token: string): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    return typeof parsed.offset === 'number' && Number.isSafeInteger(parsed.offset) && parsed.offset > 0 ? parsed.offset : undefined;
  } catch {
    return undefined;
  }
}
