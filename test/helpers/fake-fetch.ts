/**
 * A fetch for device unit tests: URLs answer from a table, or wait until the test releases
 * them, so a test decides when a download finishes (and can let it finish too late).
 */
import type { FetchFn } from '../../src/device/context.js';

type Answer = () => Response;

export interface HeldFetch {
  url: string;
  signal: AbortSignal;
  /** Answers the held request now. */
  release(answer: Response): void;
}

export class FakeFetch {
  readonly calls: string[] = [];
  readonly held: HeldFetch[] = [];
  private readonly routes = new Map<string, Answer>();
  private readonly holding = new Set<string>();

  /** `url` answers 200 with `body`. */
  file(url: string, body: string | Uint8Array): this {
    this.routes.set(url, () => new Response(typeof body === 'string' ? body : Buffer.from(body)));
    return this;
  }

  /** `url` answers `status` with an S3-style XML error. */
  error(url: string, status: number, code: string, message: string): this {
    const statusText = status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : '';
    this.routes.set(url, () => new Response(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`, { status, statusText, headers: { 'content-type': 'application/xml' } }));
    return this;
  }

  /** Requests for `url` wait in `held` until the test releases them. */
  hold(url: string): this {
    this.holding.add(url);
    return this;
  }

  readonly fetch: FetchFn = (url, init) => {
    this.calls.push(url);
    if (this.holding.has(url)) {
      return new Promise<Response>((resolve, reject) => {
        init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        this.held.push({ url, signal: init.signal, release: resolve });
      });
    }
    const answer = this.routes.get(url);
    if (!answer) return Promise.reject(new TypeError('fetch failed', { cause: new Error(`getaddrinfo ENOTFOUND ${new URL(url).hostname}`) }));
    return Promise.resolve(answer());
  };
}
