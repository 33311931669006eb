import type { TraceListParams } from "../traces/api";
import type { BuildDraft } from "./build";

const list = (text: string) => text.split(",").map((s) => s.trim()).filter(Boolean);
const MAX_QUERIES = 24;

/**
 * The trace-list queries whose totals add up to the traces the build's filters match. A trace has
 * one source, one category and one difficulty, so a list of values is the sum over each
 * combination; the list filters one tag, so with several tags (all of) the first narrows and the
 * count is an upper bound, as it is with step bounds (the list does not filter steps).
 */
export function matchQueries(d: BuildDraft): { queries: TraceListParams[]; exact: boolean } | null {
  const dims: [keyof TraceListParams, string[]][] = [
    ["source", list(d.source)],
    ["category", list(d.category)],
    ["difficulty", list(d.difficulty)],
  ];
  let queries: TraceListParams[] = [{ limit: 1 }];
  for (const [key, values] of dims) {
    if (!values.length) continue;
    queries = queries.flatMap((q) => values.map((v) => ({ ...q, [key]: v })));
    if (queries.length > MAX_QUERIES) return null;
  }
  const tags = list(d.tags);
  if (tags.length) queries = queries.map((q) => ({ ...q, tag: tags[0] }));
  const exact = tags.length <= 1 && !d.minSteps.trim() && !d.maxSteps.trim();
  return { queries, exact };
}
