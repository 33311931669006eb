import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../client/http";
import type { Schemas } from "../../client/types";
import { traceKeys } from "../traces/api";

export type DuelRequest = Schemas["DuelGenerateRequest"];
export type DuelResponse = Schemas["DuelGenerateResponse"];

export const generatorKeys = { status: ["ungar", "status"] as const };

/** GET /api/ungar/status. */
export function fetchUngarStatus() {
  return unwrap(api.GET("/api/ungar/status"));
}

export const ungarStatusQuery = () => queryOptions({ queryKey: generatorKeys.status, queryFn: fetchUngarStatus, staleTime: Infinity });

export const useUngarStatus = () => useQuery(ungarStatusQuery());

/** POST /api/ungar/high-card-duel/generate (a preview when `persist` is false). */
export function generateDuels(body: DuelRequest) {
  return unwrap(api.POST("/api/ungar/high-card-duel/generate", { body }));
}

export function useGenerateDuels() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: generateDuels,
    onSuccess: (res) => (res.persisted ? client.invalidateQueries({ queryKey: traceKeys.all }) : undefined),
  });
}
