import { keepPreviousData, queryOptions, useMutation, useQueries, useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import type { paths } from "../../client/schema";
import { api, unwrap } from "../../client/http";
import type { Schemas } from "../../client/types";

export type Run = Schemas["RunPublic"];
export type RunListParams = NonNullable<paths["/api/tunix/runs"]["get"]["parameters"]["query"]>;
export type RunStatus = Schemas["JobStatus"];
export type TrainRunRequest = Schemas["TrainRunRequest"];
export type TrainConfig = Schemas["TrainConfig"];
/** `?mode=` of POST /api/tunix/run: wait for the run (`sync`) or answer 202 at once (`async`). */
export type RunMode = NonNullable<NonNullable<paths["/api/tunix/run"]["post"]["parameters"]["query"]>["mode"]>;
export type DryRunReport = Schemas["DryRunReport"];
export const isDryRun = (r: Run | DryRunReport): r is DryRunReport => "dry_run" in r && r.dry_run === true;
export type Metrics = Schemas["MetricsPublic"];
export type Artifact = Schemas["ArtifactPublic"];

/** Statuses after which a run changes no more (runs/models.py TERMINAL; checked against the schema's JobStatus). */
export const TERMINAL: ReadonlySet<string> = new Set<RunStatus>(["succeeded", "failed", "cancelled"]);
export const isActive = (status: string | undefined) => status !== undefined && !TERMINAL.has(status);

export const runKeys = {
  all: ["runs"] as const,
  list: (params: RunListParams) => ["runs", "list", params] as const,
  detail: (id: string) => ["runs", "detail", id] as const,
  metrics: (id: string) => ["runs", "metrics", id] as const,
  artifacts: (id: string) => ["runs", "artifacts", id] as const,
  progress: (id: string) => ["runs", "progress", id] as const,
  backends: ["runs", "backends"] as const,
};

/** GET /api/tunix/runs. */
export function fetchRuns(params: RunListParams) {
  return unwrap(api.GET("/api/tunix/runs", { params: { query: params } }));
}

export const runsQuery = (params: RunListParams) =>
  queryOptions({
    queryKey: runKeys.list(params),
    queryFn: () => fetchRuns(params),
    placeholderData: keepPreviousData,
    // keep the list moving while anything on it is still running
    refetchInterval: (q) => (q.state.data?.data.some((r) => isActive(r.status)) ? 2_000 : 15_000),
  });

export const useRuns = (params: RunListParams) => useQuery(runsQuery(params));

/** GET /api/tunix/runs/{id}. */
export function fetchRun(id: string) {
  return unwrap(api.GET("/api/tunix/runs/{run_id}", { params: { path: { run_id: id } } }));
}

export const runQuery = (id: string) =>
  queryOptions({
    queryKey: runKeys.detail(id),
    queryFn: () => fetchRun(id),
    enabled: Boolean(id),
    refetchInterval: (q) => (isActive(q.state.data?.status) ? 2_000 : false),
  });

export const useRun = (id: string) => useQuery(runQuery(id));

/** GET /api/tunix/runs/{id}/metrics (polled while the run is active). */
export function fetchMetrics(id: string) {
  return unwrap(api.GET("/api/tunix/runs/{run_id}/metrics", { params: { path: { run_id: id } } }));
}

/**
 * Polling stops when a run turns terminal, but the last poll may predate the run's last rows
 * (the worker writes them just before it records the status): fetch once more at that moment.
 */
function useRefetchWhenPollingStops(queryKey: QueryKey, active: boolean) {
  const qc = useQueryClient();
  const wasActive = useRef(active);
  useEffect(() => {
    if (wasActive.current && !active) void qc.invalidateQueries({ queryKey });
    wasActive.current = active;
  }, [active, qc, queryKey]);
}

export function useRunMetrics(id: string, active: boolean) {
  useRefetchWhenPollingStops(runKeys.metrics(id), active);
  return useQuery(queryOptions({ queryKey: runKeys.metrics(id), queryFn: () => fetchMetrics(id), refetchInterval: active ? 1_500 : false }));
}

/** GET /api/tunix/runs/{id}/artifacts. */
export function fetchArtifacts(id: string) {
  return unwrap(api.GET("/api/tunix/runs/{run_id}/artifacts", { params: { path: { run_id: id } } }));
}

export function useRunArtifacts(id: string, active: boolean) {
  useRefetchWhenPollingStops(runKeys.artifacts(id), active);
  return useQuery(queryOptions({ queryKey: runKeys.artifacts(id), queryFn: () => fetchArtifacts(id), refetchInterval: active ? 5_000 : false }));
}

/** The download URL of one artifact (a plain link, so the browser streams it to disk). */
export const artifactUrl = (id: string, name: string) =>
  `/api/tunix/runs/${encodeURIComponent(id)}/artifacts/${name.split("/").map(encodeURIComponent).join("/")}/download`;

/** GET /api/tunix/status: training backends and job kinds. */
export function fetchBackends() {
  return unwrap(api.GET("/api/tunix/status"));
}

export const useBackends = () => useQuery(queryOptions({ queryKey: runKeys.backends, queryFn: fetchBackends, staleTime: 60_000 }));

/** POST /api/tunix/run (async: answers at once with the queued run; a dry run answers its checks). */
export function launchRun(body: TrainRunRequest, mode: RunMode) {
  return unwrap(api.POST("/api/tunix/run", { params: { query: { mode } }, body }));
}

export function useLaunchRun() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (args: { body: TrainRunRequest; mode: RunMode }) => launchRun(args.body, args.mode),
    onSuccess: () => client.invalidateQueries({ queryKey: runKeys.all }),
  });
}

/** POST /api/tunix/runs/{id}/cancel. */
export function cancelRun(id: string) {
  return unwrap(api.POST("/api/tunix/runs/{run_id}/cancel", { params: { path: { run_id: id } } }));
}

export function useCancelRun() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: cancelRun,
    onSuccess: () => client.invalidateQueries({ queryKey: runKeys.all }),
  });
}

/** GET /api/tunix/runs/{id}/metrics of several runs at once (the runs table's overlay). */
export function useManyRunMetrics(ids: string[]) {
  return useQueries({
    queries: ids.map((id) => queryOptions({ queryKey: runKeys.metrics(id), queryFn: () => fetchMetrics(id), staleTime: 10_000 })),
  });
}

/** A row of the runs list: the run, its tags and its metric summary (final/best/eval loss, score, reward). */
export type RunRow = Schemas["RunRow"];
export type RunProgressInfo = Schemas["RunProgress"];

/** GET /api/tunix/runs/{id}/progress: step X / Y (or elapsed of the time budget), ETA, tokens/s. */
export function fetchProgress(id: string) {
  return unwrap(api.GET("/api/tunix/runs/{run_id}/progress", { params: { path: { run_id: id } } }));
}

export function useRunProgress(id: string, active: boolean) {
  useRefetchWhenPollingStops(runKeys.progress(id), active);
  return useQuery(queryOptions({ queryKey: runKeys.progress(id), queryFn: () => fetchProgress(id), refetchInterval: active ? 1_500 : false }));
}

/** PATCH /api/tunix/runs/{id} with `{tags}`: replaces the run's tags. */
export function setRunTags(id: string, tags: string[]) {
  return unwrap(api.PATCH("/api/tunix/runs/{run_id}", { params: { path: { run_id: id } }, body: { tags } }));
}

export function useSetRunTags() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (args: { id: string; tags: string[] }) => setRunTags(args.id, args.tags),
    onSuccess: () => client.invalidateQueries({ queryKey: runKeys.all }),
  });
}
