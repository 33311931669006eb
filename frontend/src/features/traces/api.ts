import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../client/http";
import type { Schemas } from "../../client/types";

export type Trace = Schemas["TracePublic"];
export type TraceCreate = Schemas["TraceCreate"];

export const traceKeys = {
  all: ["traces"] as const,
  detail: (id: string) => ["traces", "detail", id] as const,
};

/** GET /api/traces/{id}. */
export function fetchTrace(id: string) {
  return unwrap(api.GET("/api/traces/{trace_id}", { params: { path: { trace_id: id } } }));
}

export const traceQuery = (id: string) => queryOptions({ queryKey: traceKeys.detail(id), queryFn: () => fetchTrace(id) });

export const useTrace = (id: string) => useQuery(traceQuery(id));

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
