import { useCallback, useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router";

/**
 * Page state kept in the URL's query string, so every view can be linked and reloaded. `update`
 * patches the latest query string even when called from an old closure (a debounce timer, a
 * memoized cell): React Router's functional updater would patch the one of its own render.
 */
export function useQueryState(): [URLSearchParams, (patch: Record<string, string | number | null>) => void] {
  const [params, setParams] = useSearchParams();
  const latest = useRef(params);
  useEffect(() => {
    latest.current = params;
  }, [params]);
  const update = useCallback(
    (patch: Record<string, string | number | null>) => {
      const next = new URLSearchParams(latest.current);
      for (const [k, v] of Object.entries(patch)) {
        if (v === null || v === "") next.delete(k);
        else next.set(k, String(v));
      }
      latest.current = next;
      setParams(next, { replace: true });
    },
    [setParams],
  );
  return [params, update];
}

/** A non-negative integer from a query-string value, or the fallback. */
export function intParam(value: string | null, fallback: number): number {
  const n = Number(value);
  return value !== null && Number.isInteger(n) && n >= 0 ? n : fallback;
}

/**
 * A text box bound to one query-string key: what is typed reaches the URL after `delay` ms of
 * quiet, and a URL changed from outside (a link, back/forward) replaces what the box holds, so
 * navigating to the bare page clears a search instead of the box writing it back.
 */
export function useDebouncedParam(
  params: URLSearchParams,
  update: (patch: Record<string, string | number | null>) => void,
  key: string,
  delay = 300,
): [string, (value: string) => void] {
  const inUrl = params.get(key) ?? "";
  const [text, setText] = useState(inUrl);
  const [seen, setSeen] = useState(inUrl);
  if (inUrl !== seen) {
    // the URL moved: take its value (React's "adjust state while rendering" pattern)
    setSeen(inUrl);
    setText(inUrl);
  }
  useEffect(() => {
    if (text === inUrl) return;
    const t = setTimeout(() => update({ [key]: text, offset: null }), delay);
    return () => clearTimeout(t);
  }, [text, inUrl, key, delay, update]);
  return [text, setText];
}
