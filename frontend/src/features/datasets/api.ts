import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { paths } from "../../client/schema";
import { api, unwrap } from "../../client/http";
import type { Schemas } from "../../client/types";
import { readInspection } from "./inspect";

export type Dataset = Schemas["DatasetPublic"];
export type DatasetDetail = Schemas["DatasetDetail"];
export type DatasetBuild = Schemas["DatasetBuild"];
export type EvalSet = Schemas["EvalSetPublic"];
export type EvalSetDetail = Schemas["EvalSetDetail"];

export const datasetKeys = {
  all: ["datasets"] as const,
  list: (offset: number, limit: number) => ["datasets", "list", offset, limit] as const,
  detail: (key: string) => ["datasets", "detail", key] as const,
  evalsets: ["evalsets"] as const,
  evalset: (name: string) => ["evalsets", name] as const,
};

/** GET /api/datasets (newest first). */
export function fetchDatasets(offset: number, limit: number) {
  return unwrap(api.GET("/api/datasets", { params: { query: { offset, limit } } }));
}

export const datasetsQuery = (offset = 0, limit = 50) =>
  queryOptions({ queryKey: datasetKeys.list(offset, limit), queryFn: () => fetchDatasets(offset, limit), placeholderData: keepPreviousData });

export const useDatasets = (offset = 0, limit = 50) => useQuery(datasetsQuery(offset, limit));

/** GET /api/datasets/{key}: the dataset and its manifest. */
export function fetchDataset(key: string) {
  return unwrap(api.GET("/api/datasets/{key}", { params: { path: { key } } }));
}

export const datasetQuery = (key: string) => queryOptions({ queryKey: datasetKeys.detail(key), queryFn: () => fetchDataset(key) });

export const useDataset = (key: string) => useQuery(datasetQuery(key));

/** POST /api/datasets/build. */
export function buildDataset(body: DatasetBuild) {
  return unwrap(api.POST("/api/datasets/build", { body }));
}

export function useBuildDataset() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: buildDataset,
    onSuccess: (d) => {
      client.setQueryData(datasetKeys.detail(d.key), d);
      return client.invalidateQueries({ queryKey: datasetKeys.all });
    },
  });
}

/** DELETE /api/datasets/{key} (refused with 409 while a run uses it). */
export function deleteDataset(key: string) {
  return unwrap(api.DELETE("/api/datasets/{key}", { params: { path: { key } } }));
}

export function useDeleteDataset() {
  const client = useQueryClient();
  return useMutation({ mutationFn: deleteDataset, onSuccess: () => client.invalidateQueries({ queryKey: datasetKeys.all }) });
}

/** The export download URL of a dataset in one format (a plain link; the server streams it). */
export function exportUrl(key: string, format: string, opts: { split?: string; template?: string; style?: string } = {}): string {
  const q = new URLSearchParams({ format });
  for (const [k, v] of Object.entries(opts)) if (v) q.set(k, v);
  const path = format === "parquet" ? "export.parquet" : "export.jsonl";
  if (format === "parquet") q.delete("format");
  const qs = q.toString();
  return `/api/datasets/${encodeURIComponent(key)}/${path}${qs ? `?${qs}` : ""}`;
}

/** GET /api/evalsets. */
export function fetchEvalSets() {
  return unwrap(api.GET("/api/evalsets", { params: { query: { limit: 500 } } }));
}

export const evalSetsQuery = () => queryOptions({ queryKey: datasetKeys.evalsets, queryFn: fetchEvalSets });

export const useEvalSets = () => useQuery(evalSetsQuery());

/** GET /api/evalsets/{name} with its statistics. */
export function fetchEvalSet(name: string) {
  return unwrap(api.GET("/api/evalsets/{name}", { params: { path: { name }, query: { items: true } } }));
}

export const useEvalSet = (name: string) => useQuery(queryOptions({ queryKey: datasetKeys.evalset(name), queryFn: () => fetchEvalSet(name) }));

export type InspectParams = NonNullable<paths["/api/datasets/{key}/inspect"]["get"]["parameters"]["query"]>;

/** GET /api/datasets/{key}/inspect: the token-level loss-mask preview and lint, read by `readInspection`. */
export async function fetchInspection(key: string, params: InspectParams) {
  return readInspection(await unwrap(api.GET("/api/datasets/{key}/inspect", { params: { path: { key }, query: params } })));
}

export const useInspection = (key: string, params: InspectParams) =>
  useQuery(queryOptions({ queryKey: [...datasetKeys.detail(key), "inspect", params], queryFn: () => fetchInspection(key, params), staleTime: 60_000, placeholderData: keepPreviousData }));
