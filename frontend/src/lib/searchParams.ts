import { useCallback } from "react";
import { useSearchParams } from "react-router";

/** Page state kept in the URL's query string, so every view can be linked and reloaded. */
export function useQueryState(): [URLSearchParams, (patch: Record<string, string | number | null>) => void] {
  const [params, setParams] = useSearchParams();
  const update = useCallback(
    (patch: Record<string, string | number | null>) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [k, v] of Object.entries(patch)) {
            if (v === null || v === "") next.delete(k);
            else next.set(k, String(v));
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return [params, update];
}

/** A non-negative integer from a query-string value, or the fallback. */
export function intParam(value: string | null, fallback: number): number {
  const n = Number(value);
  return value !== null && Number.isInteger(n) && n >= 0 ? n : fallback;
}
