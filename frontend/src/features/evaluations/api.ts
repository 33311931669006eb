import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import type { paths } from "../../client/schema";
import { api, unwrap } from "../../client/http";
import type { Schemas } from "../../client/types";
import { isEvaluating } from "../leaderboard/api";

/** An evaluation as the client hands it over (openapi-fetch widens the schema's tuples to arrays). */
export type Evaluation = Awaited<ReturnType<typeof fetchEvaluation>>;
export type ItemResult = Schemas["ItemPublic"];
export type ItemParams = NonNullable<paths["/api/tunix/evaluations/{evaluation_id}/items"]["get"]["parameters"]["query"]>;

export const evaluationKeys = {
  all: ["evaluation"] as const,
  detail: (id: string) => ["evaluation", id] as const,
  items: (id: string, params: ItemParams) => ["evaluation", id, "items", params] as const,
  budget: (id: string) => ["evaluation", id, "budget"] as const,
};

/** GET /api/tunix/evaluations/{id}, polled while it is queued or running. */
export function fetchEvaluation(id: string) {
  return unwrap(api.GET("/api/tunix/evaluations/{evaluation_id}", { params: { path: { evaluation_id: id } } }));
}

export const evaluationQuery = (id: string) =>
  queryOptions({
    queryKey: evaluationKeys.detail(id),
    queryFn: () => fetchEvaluation(id),
    enabled: Boolean(id),
    refetchInterval: (q) => (isEvaluating(q.state.data?.status) ? 1_500 : false),
  });

export const useEvaluationDetail = (id: string) => useQuery(evaluationQuery(id));

/** GET /api/tunix/evaluations/{id}/items: one filtered page of per-item results. */
export function fetchItems(id: string, params: ItemParams) {
  return unwrap(api.GET("/api/tunix/evaluations/{evaluation_id}/items", { params: { path: { evaluation_id: id }, query: params } }));
}

export const useItems = (id: string, params: ItemParams, live: boolean) =>
  useQuery(
    queryOptions({
      queryKey: evaluationKeys.items(id, params),
      queryFn: () => fetchItems(id, params),
      placeholderData: keepPreviousData,
      refetchInterval: live ? 3_000 : false,
    }),
  );

export type BudgetReport = Schemas["BudgetReport"];

/** GET /api/tunix/evaluations/{id}/budget: accuracy by reasoning length, truncation, accuracy-at-budget curve. */
export function fetchBudget(id: string, judge: string | undefined) {
  return unwrap(api.GET("/api/tunix/evaluations/{evaluation_id}/budget", { params: { path: { evaluation_id: id }, query: { judge } } }));
}

export const useBudget = (id: string, judge: string | undefined, live: boolean) =>
  useQuery(
    queryOptions({
      queryKey: [...evaluationKeys.budget(id), judge ?? ""],
      queryFn: () => fetchBudget(id, judge),
      refetchInterval: live ? 5_000 : false,
    }),
  );
