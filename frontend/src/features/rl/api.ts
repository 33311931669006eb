import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import type { paths } from "../../client/schema";
import { api, unwrap } from "../../client/http";
import type { Schemas } from "../../client/types";

export type SamplesPage = Schemas["SamplesPage"];
export type PromptSample = Schemas["PromptSample"];
export type SampleCompletion = Schemas["SampleCompletion"];
export type SamplesParams = NonNullable<paths["/api/tunix/runs/{run_id}/samples"]["get"]["parameters"]["query"]>;

/** Whether a run's config is a GRPO run's (`algorithm: grpo`). */
export const isGrpo = (config: unknown): boolean => Boolean(config && typeof config === "object" && (config as Record<string, unknown>).algorithm === "grpo");

export const rlKeys = {
  samples: (id: string, params: SamplesParams) => ["runs", "samples", id, params] as const,
};

/** GET /api/tunix/runs/{id}/samples: the kept prompts of `samples.jsonl`, filtered by step. */
export function fetchSamples(id: string, params: SamplesParams) {
  return unwrap(api.GET("/api/tunix/runs/{run_id}/samples", { params: { path: { run_id: id }, query: params } }));
}

/** The samples of one step (null: one row, to learn the file's steps); polled while the run is active. */
export function useRunSamples(id: string, step: number | null, active: boolean) {
  const params: SamplesParams = step === null ? { limit: 1 } : { step, limit: 100 };
  return useQuery(
    queryOptions({
      queryKey: rlKeys.samples(id, params),
      queryFn: () => fetchSamples(id, params),
      placeholderData: keepPreviousData,
      refetchInterval: active ? 3_000 : false,
    }),
  );
}
