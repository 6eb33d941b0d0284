/** Re-asks the cloud every couple of wall seconds while the page is open; never two requests at once. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiResult, AwsError } from './api.js';

export const POLL_MS = 2000;

export interface Polled<T> {
  data: T | undefined;
  /** The last request's error; `data` keeps the last good answer meanwhile. */
  error: AwsError | undefined;
  /** The last answer as a result: the error if the last request failed, else the data; undefined before any. */
  result: ApiResult<T> | undefined;
  /** Asks again now (after an action that changed things). */
  refresh(): void;
}

/** `key` names what is loaded: when it changes, the old answer is dropped. */
export function usePolled<T>(key: string, load: () => Promise<ApiResult<T>>, everyMs = POLL_MS): Polled<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: AwsError }>({ key });
  const loadRef = useRef(load);
  loadRef.current = load;
  const busy = useRef<string | undefined>(undefined);
  const live = useRef(true);

  const run = useCallback(async () => {
    if (busy.current === key) return;
    busy.current = key;
    try {
      const r = await loadRef.current();
      if (!live.current) return;
      setState((s) => (r.ok ? { key, data: r.data } : { key, ...(s.key === key && s.data !== undefined ? { data: s.data } : {}), error: r.error }));
    } finally {
      if (busy.current === key) busy.current = undefined;
    }
  }, [key]);

  useEffect(() => {
    live.current = true;
    void run();
    const id = setInterval(() => void run(), everyMs);
    return () => {
      live.current = false;
      clearInterval(id);
    };
  }, [run, everyMs]);

  const current = state.key === key ? state : { key };
  const result: ApiResult<T> | undefined = current.error ? { ok: false, error: current.error } : current.data !== undefined ? { ok: true, data: current.data } : undefined;
  return { data: current.data, error: current.error, result, refresh: () => void run() };
}
