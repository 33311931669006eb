import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { paths } from "../../client/schema";
import { ApiError, api, responseError, unwrap } from "../../client/http";
import type { Schemas } from "../../client/types";

export type Trace = Schemas["TracePublic"];
export type TraceCreate = Schemas["TraceCreate"];
export type TraceScore = Schemas["TraceScore"];
export type TraceComparison = Schemas["TraceComparison"];
export type ImportResult = Schemas["ImportResult"];
export type UploadFormat = Schemas["UploadFormat"];
export type TraceListParams = NonNullable<paths["/api/traces"]["get"]["parameters"]["query"]>;
export type Scorer = Schemas["ScoreRequest"]["scorer"];

export const traceKeys = {
  all: ["traces"] as const,
  list: (params: TraceListParams) => ["traces", "list", params] as const,
  detail: (id: string) => ["traces", "detail", id] as const,
  score: (id: string, scorer: Scorer) => ["traces", "score", id, scorer] as const,
  compare: (base: string, other: string) => ["traces", "compare", base, other] as const,
};

/** GET /api/traces (newest first, filtered, paginated). */
export function fetchTraces(params: TraceListParams) {
  return unwrap(api.GET("/api/traces", { params: { query: params } }));
}

export const tracesQuery = (params: TraceListParams) =>
  queryOptions({ queryKey: traceKeys.list(params), queryFn: () => fetchTraces(params), placeholderData: keepPreviousData });

export const useTraces = (params: TraceListParams) => useQuery(tracesQuery(params));

/** GET /api/traces/{id}. */
export function fetchTrace(id: string) {
  return unwrap(api.GET("/api/traces/{trace_id}", { params: { path: { trace_id: id } } }));
}

export const traceQuery = (id: string) => queryOptions({ queryKey: traceKeys.detail(id), queryFn: () => fetchTrace(id) });

export const useTrace = (id: string) => useQuery(traceQuery(id));

/** POST /api/traces/{id}/score. Scoring is read-only, so it is cached like a query. */
export function scoreTrace(id: string, scorer: Scorer) {
  return unwrap(api.POST("/api/traces/{trace_id}/score", { params: { path: { trace_id: id } }, body: { scorer } }));
}

export const traceScoreQuery = (id: string, scorer: Scorer) =>
  queryOptions({ queryKey: traceKeys.score(id, scorer), queryFn: () => scoreTrace(id, scorer), staleTime: Infinity });

export const useTraceScore = (id: string, scorer: Scorer) => useQuery(traceScoreQuery(id, scorer));

/** GET /api/traces/compare?base=&other=. */
export function compareTraces(base: string, other: string) {
  return unwrap(api.GET("/api/traces/compare", { params: { query: { base, other } } }));
}

export const traceCompareQuery = (base: string, other: string) =>
  queryOptions({ queryKey: traceKeys.compare(base, other), queryFn: () => compareTraces(base, other), enabled: Boolean(base && other) });

export const useTraceCompare = (base: string, other: string) => useQuery(traceCompareQuery(base, other));

/** POST /api/traces. */
export function createTrace(body: TraceCreate) {
  return unwrap(api.POST("/api/traces", { body }));
}

export function useCreateTrace() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createTrace,
    onSuccess: (trace) => {
      client.setQueryData(traceKeys.detail(trace.id), trace);
      return client.invalidateQueries({ queryKey: traceKeys.all });
    },
  });
}

/** DELETE /api/traces/{id}. */
export function deleteTrace(id: string) {
  return unwrap(api.DELETE("/api/traces/{trace_id}", { params: { path: { trace_id: id } } }));
}

export function useDeleteTrace() {
  const client = useQueryClient();
  return useMutation({ mutationFn: deleteTrace, onSuccess: () => client.invalidateQueries({ queryKey: traceKeys.all }) });
}

const IMPORT_PATH = "/api/traces/import" satisfies keyof paths;
export const PARQUET_TYPE = "application/vnd.apache.parquet";

/** Whether an upload is a Parquet file (browsers give `.parquet` files no type: the name says). */
export function isParquet(file: Blob): boolean {
  return file.type === PARQUET_TYPE || (file instanceof File && file.name.toLowerCase().endsWith(".parquet"));
}

/**
 * POST /api/traces/import with upload progress. fetch() cannot report upload progress, so this
 * one call uses XMLHttpRequest; its path and result type still come from the generated schema.
 * A Parquet file goes with the Parquet content type (the server reads it through `datasets`).
 */
export function importTraces(
  file: Blob,
  opts: { skipInvalid: boolean; format?: UploadFormat; onProgress: (fraction: number) => void },
): Promise<ImportResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${IMPORT_PATH}?skip_invalid=${opts.skipInvalid}&format=${opts.format ?? "auto"}`);
    xhr.setRequestHeader("Content-Type", isParquet(file) ? PARQUET_TYPE : "application/x-ndjson");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) opts.onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown = xhr.responseText;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: keep the text for the message
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as ImportResult);
      else reject(responseError(xhr.status, body, `${xhr.status} ${xhr.statusText}`));
    };
    xhr.onerror = () => reject(new ApiError(0, "Cannot reach the API: the upload failed"));
    xhr.send(file);
  });
}

export function useImportTraces() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (args: { file: Blob; skipInvalid: boolean; format?: UploadFormat; onProgress: (f: number) => void }) =>
      importTraces(args.file, { skipInvalid: args.skipInvalid, format: args.format, onProgress: args.onProgress }),
    onSuccess: () => client.invalidateQueries({ queryKey: traceKeys.all }),
  });
}
