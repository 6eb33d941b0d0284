/** Keyset pagination for registry lists: opaque tokens returned only while more items remain. */
import { err, ok, type Result } from '../../core/result.js';
import { invalid } from './checks.js';
import { REGISTRY_LIMITS, type PageOptions, type RegistryError } from './model.js';

// Keyset tokens (the last name returned) stay correct while things are added or removed between pages.
const encodeToken = (after: string): string => Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');

export function decodePage(opts: PageOptions): Result<{ after: string; limit: number }, RegistryError> {
  const limit = opts.maxResults ?? REGISTRY_LIMITS.defaultMaxResults;
  if (!Number.isInteger(limit) || limit < 1 || limit > REGISTRY_LIMITS.maxResults) return err(invalid(`maxResults must be an integer between 1 and ${REGISTRY_LIMITS.maxResults}`));
  if (opts.nextToken === undefined) return ok({ after: '', limit });
  try {
    const parsed = JSON.parse(Buffer.from(opts.nextToken, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string' && parsed.after !== '') return ok({ after: parsed.after, limit });
  } catch {
    // fall through: an undecodable token is the caller's error
  }
  return err(invalid('The nextToken is invalid'));
}

/** Cuts `limit + 1` sorted rows into a page, issuing a token only when more remain. */
export function cut<T>(rows: T[], limit: number, nameOf: (t: T) => string): { items: T[]; nextToken?: string } {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextToken: encodeToken(nameOf(items[items.length - 1] as T)) };
}
