/**
 * Calls to the cloud: the AWS REST API (the same routes the AWS CLI uses, unsigned, which the
 * cloud routes to `iot`) and the dashboard's own /_acfleet routes. Errors come back as data in
 * AWS's shape, so forms can show AWS's message next to the field it names.
 */

export interface AwsError {
  status: number;
  /** x-amzn-ErrorType without its suffix, e.g. InvalidRequestException. */
  type: string;
  message: string;
}

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: AwsError };

export async function call<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    return { ok: false, error: { status: 0, type: 'NetworkError', message: `cannot reach the cloud: ${String(e)}` } };
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = undefined;
  }
  if (res.ok) return { ok: true, data: json as T };
  const type = (res.headers.get('x-amzn-errortype') ?? 'Error').split(':')[0] ?? 'Error';
  const message = typeof json === 'object' && json !== null && 'message' in json ? String((json as { message: unknown }).message) : text || res.statusText;
  return { ok: false, error: { status: res.status, type, message } };
}

/** Path segments are user input (thing names, job ids). */
export const seg = (s: string): string => encodeURIComponent(s);
