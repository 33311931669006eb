import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../client/http";

export const healthKeys = { all: ["health"] as const };

/** GET /api/health. */
export function fetchHealth() {
  return unwrap(api.GET("/api/health"));
}

export const healthQuery = () =>
  queryOptions({ queryKey: healthKeys.all, queryFn: fetchHealth, refetchInterval: 10_000 });

export const useHealth = () => useQuery(healthQuery());
