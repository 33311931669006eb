import { useQueries } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { tracesQuery } from "../../traces/api";
import type { BuildDraft } from "../build";
import { matchQueries } from "../matchCount";

const PAGE_COUNT = 500; // the API's largest page

/** "412 traces match" under the build form's filters, recounted as they are typed (debounced). */
export function MatchCount({ draft }: { draft: BuildDraft }) {
  const [settled, setSettled] = useState(draft);
  useEffect(() => {
    const t = setTimeout(() => setSettled(draft), 300);
    return () => clearTimeout(t);
  }, [draft]);
  const plan = matchQueries(settled);
  const queries = plan?.queries ?? [];
  const totals = useQueries({ queries: queries.map((q) => ({ ...tracesQuery(q), placeholderData: undefined })) });
  // a server that does not count (no `pagination.total`): count the rows of one big page instead
  const uncounted = totals.some((r) => r.data && typeof r.data.pagination.total !== "number");
  const pages = useQueries({ queries: queries.map((q) => ({ ...tracesQuery({ ...q, limit: PAGE_COUNT }), placeholderData: undefined, enabled: uncounted })) });
  if (!plan) return <p className="muted small-text">Too many combinations to count.</p>;
  const results = uncounted ? pages : totals;
  const pending = results.some((r) => r.isPending);
  const failed = results.find((r) => r.isError);
  let total = 0;
  let more = false;
  for (const r of results) {
    const t = r.data?.pagination.total;
    if (typeof t === "number") total += t;
    else if (r.data) {
      total += r.data.data.length;
      more ||= r.data.pagination.next_offset != null;
    }
  }
  const text = failed
    ? `Cannot count: ${failed.error instanceof Error ? failed.error.message : String(failed.error)}`
    : pending
      ? "Counting…"
      : more
        ? `more than ${total.toLocaleString()} traces match`
        : total === 0
          ? "0 traces match"
          : `${plan.exact ? "" : "at most "}${total.toLocaleString()} trace${total === 1 ? "" : "s"} match${total === 1 ? "es" : ""}${plan.exact ? "" : " (before the tag and step filters)"}`;
  return (
    <p className={`match-count${total === 0 && !pending ? " match-none" : ""}`} role="status" aria-live="polite" data-testid="match-count">
      {text}
    </p>
  );
}
