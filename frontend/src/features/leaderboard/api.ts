import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import type { paths } from "../../client/schema";
import { api, unwrap } from "../../client/http";
import type { Schemas } from "../../client/types";

export type LeaderboardRow = Schemas["LeaderboardRow"];
export type JudgeScore = Schemas["JudgeScore"];
export type Evaluation = Schemas["EvaluationPublic"];
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
  queryOptions({ queryKey: leaderboardKeys.ofRun(runId), queryFn: () => fetchRunEvaluation(runId), staleTime: 30_000 });

export const useRunEvaluation = (runId: string | null | undefined) =>
  useQuery({ ...runEvaluationQuery(runId ?? ""), enabled: Boolean(runId) });
