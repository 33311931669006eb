import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../client/http";
import type { Schemas } from "../../client/types";
import { registryKeys } from "../registry/api";

export type TuningJob = Schemas["TuningJobPublic"];
export type TuningJobCreate = Schemas["TuningJobCreate"];
export type Trial = Schemas["TrialPublic"];
export type Distribution = Schemas["Distribution"];
export type SweepStatus = Schemas["TuningStatus"];

/** Sweep statuses after which nothing changes any more (checked against the schema's TuningStatus). */
export const SWEEP_DONE: ReadonlySet<string> = new Set<SweepStatus>(["succeeded", "failed", "cancelled"]);
const NOT_STARTED: SweepStatus = "created";
export const sweepActive = (status: string | undefined) => status !== undefined && status !== NOT_STARTED && !SWEEP_DONE.has(status);

export const tuningKeys = {
  all: ["tuning"] as const,
  list: (offset: number, limit: number) => ["tuning", "list", offset, limit] as const,
  detail: (id: string) => ["tuning", "detail", id] as const,
};

/** GET /api/tuning/jobs (newest first, without trials). */
export function fetchSweeps(offset: number, limit: number) {
  return unwrap(api.GET("/api/tuning/jobs", { params: { query: { offset, limit } } }));
}

export const sweepsQuery = (offset = 0, limit = 25) =>
  queryOptions({
    queryKey: tuningKeys.list(offset, limit),
    queryFn: () => fetchSweeps(offset, limit),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.data.some((j) => sweepActive(j.status)) ? 3_000 : 15_000),
  });

export const useSweeps = (offset = 0, limit = 25) => useQuery(sweepsQuery(offset, limit));

/** GET /api/tuning/jobs/{id} with its trials (polled while the sweep runs, so trials appear live). */
export function fetchSweep(id: string) {
  return unwrap(api.GET("/api/tuning/jobs/{job_id}", { params: { path: { job_id: id } } }));
}

export const sweepQuery = (id: string) =>
  queryOptions({
    queryKey: tuningKeys.detail(id),
    queryFn: () => fetchSweep(id),
    refetchInterval: (q) => (sweepActive(q.state.data?.status) ? 2_000 : false),
  });

export const useSweep = (id: string) => useQuery(sweepQuery(id));

/** POST /api/tuning/jobs. */
export function createSweep(body: TuningJobCreate) {
  return unwrap(api.POST("/api/tuning/jobs", { body }));
}

/** POST /api/tuning/jobs/{id}/start. */
export function startSweep(id: string) {
  return unwrap(api.POST("/api/tuning/jobs/{job_id}/start", { params: { path: { job_id: id } } }));
}

/** Creates a sweep and, when asked, starts it at once. */
export function useCreateSweep() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (args: { body: TuningJobCreate; start: boolean }) => {
      const job = await createSweep(args.body);
      return args.start ? startSweep(job.id) : job;
    },
    onSuccess: (job) => {
      client.setQueryData(tuningKeys.detail(job.id), job);
      return client.invalidateQueries({ queryKey: tuningKeys.all });
    },
  });
}

function useSweepAction(action: (id: string) => Promise<TuningJob>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: action,
    onSuccess: (job) => {
      client.setQueryData(tuningKeys.detail(job.id), job);
      return client.invalidateQueries({ queryKey: tuningKeys.all });
    },
  });
}

export const useStartSweep = () => useSweepAction(startSweep);

/** POST /api/tuning/jobs/{id}/cancel. */
export function cancelSweep(id: string) {
  return unwrap(api.POST("/api/tuning/jobs/{job_id}/cancel", { params: { path: { job_id: id } } }));
}

export const useCancelSweep = () => useSweepAction(cancelSweep);

/** POST /api/tuning/jobs/{id}/promote-best: register the best trial's model in a family. */
export function promoteBest(id: string, body: Schemas["PromoteBestRequest"]) {
  return unwrap(api.POST("/api/tuning/jobs/{job_id}/promote-best", { params: { path: { job_id: id } }, body }));
}

export function usePromoteBest(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas["PromoteBestRequest"]) => promoteBest(id, body),
    onSuccess: () => client.invalidateQueries({ queryKey: registryKeys.all }),
  });
}
