/** Polls an API call on a wall-clock interval, and at once on demand (after a button press). */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiResult } from '../api.js';

export interface Polled<T> {
  /** Undefined until the first answer for the current key. */
  result: ApiResult<T> | undefined;
  refresh: () => void;
}

/** `key` names what is polled (the thing): a new key drops the old answers, late ones included. */
export function usePoll<T>(key: string, everyMs: number, load: () => Promise<ApiResult<T>>): Polled<T> {
  const [answer, setAnswer] = useState<{ key: string; result: ApiResult<T> } | undefined>(undefined);
  const loadRef = useRef(load);
  loadRef.current = load;
  const latest = useRef(0);
  const tick = useRef<() => void>(() => undefined);

  useEffect(() => {
    let stopped = false;
    tick.current = () => {
      const asked = ++latest.current;
      void loadRef.current().then((result) => {
        // Only the newest request's answer counts: an older one may arrive after it.
        if (!stopped && asked === latest.current) setAnswer({ key, result });
      });
    };
    tick.current();
    const id = setInterval(() => tick.current(), everyMs);
    return () => {
      stopped = true;
      clearInterval(id);
    };
  }, [key, everyMs]);

  const refresh = useCallback(() => tick.current(), []);
  return { result: answer?.key === key ? answer.result : undefined, refresh };
}
