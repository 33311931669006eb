import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../client/http";
import type { Schemas } from "../../client/types";

export type Comparison = Schemas["Comparison"];
export type ItemDiff = Schemas["ItemDiff"];
export type ItemResult = Schemas["ItemPublic"];

export const compareKeys = {
  all: ["compare"] as const,
  runs: (a: string, b: string, evalSet: string, judge: string) => ["compare", "runs", a, b, evalSet, judge] as const,
  items: (evaluationId: string) => ["compare", "items", evaluationId] as const,
  evaluation: (evaluationId: string) => ["compare", "evaluation", evaluationId] as const,
};

/** GET /api/tunix/runs/compare?a=&b=: loss curves, config diff and the paired per-item diff. */
export function fetchComparison(a: string, b: string, evalSet: string, judge: string) {
  const query = { a, b, eval_set: evalSet || undefined, judge: judge || undefined };
  return unwrap(api.GET("/api/tunix/runs/compare", { params: { query } }));
}

export const comparisonQuery = (a: string, b: string, evalSet = "", judge = "") =>
  queryOptions({
    queryKey: compareKeys.runs(a, b, evalSet, judge),
    queryFn: () => fetchComparison(a, b, evalSet, judge),
    enabled: Boolean(a && b),
  });

export const useComparison = (a: string, b: string, evalSet = "", judge = "") => useQuery(comparisonQuery(a, b, evalSet, judge));

const PAGE = 500; // the API's largest page

/** Every per-item result of one evaluation (GET /api/tunix/evaluations/{id}/items, page by page). */
export async function fetchAllItems(evaluationId: string): Promise<ItemResult[]> {
  const out: ItemResult[] = [];
  for (let offset: number | null | undefined = 0; offset != null; ) {
    const page: Schemas["Page_ItemPublic_"] = await unwrap(
      api.GET("/api/tunix/evaluations/{evaluation_id}/items", { params: { path: { evaluation_id: evaluationId }, query: { limit: PAGE, offset } } }),
    );
    out.push(...page.data);
    offset = page.pagination.next_offset;
  }
  return out;
}

export const evaluationItemsQuery = (evaluationId: string) =>
  queryOptions({ queryKey: compareKeys.items(evaluationId), queryFn: () => fetchAllItems(evaluationId), staleTime: Infinity });

export const useEvaluationItems = (evaluationId: string | undefined) =>
  useQuery({ ...evaluationItemsQuery(evaluationId ?? ""), enabled: Boolean(evaluationId) });

/** GET /api/tunix/evaluations/{id}: one evaluation (its judges name what the comparison can use). */
export function fetchEvaluation(evaluationId: string) {
  return unwrap(api.GET("/api/tunix/evaluations/{evaluation_id}", { params: { path: { evaluation_id: evaluationId } } }));
}

export const useEvaluation = (evaluationId: string | undefined) =>
  useQuery(
    queryOptions({
      queryKey: compareKeys.evaluation(evaluationId ?? ""),
      queryFn: () => fetchEvaluation(evaluationId ?? ""),
      enabled: Boolean(evaluationId),
      staleTime: Infinity,
    }),
  );
