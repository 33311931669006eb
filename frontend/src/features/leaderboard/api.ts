import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { paths } from "../../client/schema";
import { api, unwrap } from "../../client/http";
import type { Schemas } from "../../client/types";
import { runKeys } from "../runs/api";

export type LeaderboardRow = Schemas["LeaderboardRow"];
export type JudgeScore = Schemas["JudgeScore"];
export type Evaluation = Schemas["EvaluationPublic"];
export type EvaluateRequest = Schemas["EvaluateRequest"];

export type EvaluationStatus = Schemas["EvaluationStatus"];

/** Statuses in which an evaluation may still change (checked against the schema's EvaluationStatus). */
const EVALUATING: ReadonlySet<string> = new Set<EvaluationStatus>(["queued", "running"]);
export const isEvaluating = (status: string | undefined) => status !== undefined && EVALUATING.has(status);
export type LeaderboardParams = NonNullable<paths["/api/tunix/evaluations"]["get"]["parameters"]["query"]>;

export const leaderboardKeys = {
  all: ["evaluations"] as const,
  list: (params: LeaderboardParams) => ["evaluations", "list", params] as const,
  ofRun: (runId: string) => ["evaluations", "run", runId] as const,
};

/** GET /api/tunix/evaluations: one row per run (or every evaluation), sorted, with the CI beside the score. */
export function fetchLeaderboard(params: LeaderboardParams) {
  return unwrap(api.GET("/api/tunix/evaluations", { params: { query: params } }));
}

export const leaderboardQuery = (params: LeaderboardParams) =>
  queryOptions({ queryKey: leaderboardKeys.list(params), queryFn: () => fetchLeaderboard(params), placeholderData: keepPreviousData });

export const useLeaderboard = (params: LeaderboardParams) => useQuery(leaderboardQuery(params));

/** GET /api/tunix/runs/{id}/evaluation: the run's latest evaluation (404 when it has none). */
export function fetchRunEvaluation(runId: string) {
  return unwrap(api.GET("/api/tunix/runs/{run_id}/evaluation", { params: { path: { run_id: runId } } }));
}

export const runEvaluationQuery = (runId: string) =>
  queryOptions({
    queryKey: leaderboardKeys.ofRun(runId),
    queryFn: () => fetchRunEvaluation(runId),
    staleTime: 30_000,
    // follow a queued or running evaluation until it has its scorecard
    refetchInterval: (q) => (isEvaluating(q.state.data?.status) ? 2_000 : false),
  });

export const useRunEvaluation = (runId: string | null | undefined) =>
  useQuery({ ...runEvaluationQuery(runId ?? ""), enabled: Boolean(runId) });

/** POST /api/tunix/runs/{id}/evaluate: queue an evaluation of the run on an eval set. */
export function evaluateRun(runId: string, body: EvaluateRequest) {
  return unwrap(api.POST("/api/tunix/runs/{run_id}/evaluate", { params: { path: { run_id: runId } }, body }));
}

export function useEvaluateRun(runId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: EvaluateRequest) => evaluateRun(runId, body),
    onSuccess: (evaluation) => {
      client.setQueryData(leaderboardKeys.ofRun(runId), evaluation);
      return client.invalidateQueries({ queryKey: runKeys.all });
    },
  });
}
