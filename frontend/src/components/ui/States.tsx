import type { ReactNode } from "react";

/** A spinner line shown while data loads. */
export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** What a page shows when a list has nothing in it, with an optional next step. */
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children ? <div>{children}</div> : null}
    </div>
  );
}

/** A failed request, showing the API's own message. */
export function ErrorBox({ error, title = "Request failed" }: { error: unknown; title?: string }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="state state-error" role="alert">
      <strong>{title}</strong>
      <div className="error-detail">{message}</div>
    </div>
  );
}

/** What `QueryView` reads of a TanStack query result. */
export type QueryLike<T> = { isPending: boolean; isError: boolean; error: unknown; data: T | undefined };

const hasNoRows = (data: unknown): boolean =>
  Boolean(data && typeof data === "object" && "data" in data && Array.isArray((data as { data: unknown }).data) && (data as { data: unknown[] }).data.length === 0);

/**
 * The loading / error / empty / data branches of one query, written once: a spinner while it
 * loads, the API's message when it fails, `empty` when the answer holds nothing (a list envelope
 * with no rows, unless `isEmpty` says otherwise), and `children(data)` otherwise.
 */
export function QueryView<T>({
  query,
  errorTitle,
  loadingLabel,
  empty,
  isEmpty = hasNoRows,
  children,
}: {
  query: QueryLike<T>;
  errorTitle?: string;
  loadingLabel?: string;
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading label={loadingLabel} />;
  if (query.isError || query.data === undefined) return <ErrorBox error={query.error} title={errorTitle} />;
  if (empty !== undefined && isEmpty(query.data)) return <>{empty}</>;
  return <>{children(query.data)}</>;
}

/** Two queries as one for `QueryView`: pending while either is, failed when either failed. */
export function bothQueries<A, B>(a: QueryLike<A>, b: QueryLike<B>): QueryLike<[A, B]> {
  return {
    isPending: a.isPending || b.isPending,
    isError: a.isError || b.isError,
    error: a.isError ? a.error : b.error,
    data: a.data !== undefined && b.data !== undefined ? [a.data, b.data] : undefined,
  };
}
