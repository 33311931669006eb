import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../client/http";
import type { Schemas } from "../../client/types";

export type ModelFamily = Schemas["ModelFamilyPublic"];
// As openapi-fetch returns it (its nested tuples, a scorecard's CI, widened to arrays).
export type ModelVersion = Awaited<ReturnType<typeof fetchVersion>>;
export type PromoteRequest = Schemas["PromoteRequest"];
export type PromoteResult = Schemas["PromoteResult"];

export const registryKeys = {
  all: ["registry"] as const,
  families: (offset: number, limit: number) => ["registry", "families", offset, limit] as const,
  family: (ref: string) => ["registry", "family", ref] as const,
  versions: (ref: string, offset: number, limit: number) => ["registry", "versions", ref, offset, limit] as const,
  version: (id: string) => ["registry", "version", id] as const,
};

/** GET /api/models (families by name). */
export function fetchFamilies(offset: number, limit: number) {
  return unwrap(api.GET("/api/models", { params: { query: { offset, limit } } }));
}

export const familiesQuery = (offset = 0, limit = 50) =>
  queryOptions({ queryKey: registryKeys.families(offset, limit), queryFn: () => fetchFamilies(offset, limit), placeholderData: keepPreviousData });

export const useFamilies = (offset = 0, limit = 50) => useQuery(familiesQuery(offset, limit));

/** GET /api/models/{id or name}. */
export function fetchFamily(ref: string) {
  return unwrap(api.GET("/api/models/{family_ref}", { params: { path: { family_ref: ref } } }));
}

export const familyQuery = (ref: string) => queryOptions({ queryKey: registryKeys.family(ref), queryFn: () => fetchFamily(ref) });

export const useFamily = (ref: string) => useQuery(familyQuery(ref));

/** GET /api/models/{id or name}/versions (newest first). */
export function fetchVersions(ref: string, offset: number, limit: number) {
  return unwrap(api.GET("/api/models/{family_ref}/versions", { params: { path: { family_ref: ref }, query: { offset, limit } } }));
}

export const versionsQuery = (ref: string, offset = 0, limit = 50) =>
  queryOptions({ queryKey: registryKeys.versions(ref, offset, limit), queryFn: () => fetchVersions(ref, offset, limit), placeholderData: keepPreviousData });

export const useVersions = (ref: string, offset = 0, limit = 50) => useQuery(versionsQuery(ref, offset, limit));

/** GET /api/models/versions/{id} with its provenance. */
export function fetchVersion(id: string) {
  return unwrap(api.GET("/api/models/versions/{version_id}", { params: { path: { version_id: id } } }));
}

export const versionQuery = (id: string) => queryOptions({ queryKey: registryKeys.version(id), queryFn: () => fetchVersion(id) });

export const useVersion = (id: string) => useQuery(versionQuery(id));

/** The download URL of a version's tar (a plain link, so the browser streams it to disk). */
export const versionDownloadUrl = (id: string) => `/api/models/versions/${encodeURIComponent(id)}/download`;

/** POST /api/models. */
export function createFamily(body: Schemas["ModelFamilyCreate"]) {
  return unwrap(api.POST("/api/models", { body }));
}

export function useCreateFamily() {
  const client = useQueryClient();
  return useMutation({ mutationFn: createFamily, onSuccess: () => client.invalidateQueries({ queryKey: registryKeys.all }) });
}

/** POST /api/models/{family}/versions/promote: register a succeeded run's final model. */
export function promoteRun(family: string, body: PromoteRequest) {
  return unwrap(api.POST("/api/models/{family_ref}/versions/promote", { params: { path: { family_ref: family } }, body }));
}

export function usePromoteRun(family: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PromoteRequest) => promoteRun(family, body),
    onSuccess: () => client.invalidateQueries({ queryKey: registryKeys.all }),
  });
}

/** PUT /api/models/{family}/aliases/{alias}: point an alias at a version. */
export function setAlias(family: string, alias: string, versionId: string) {
  return unwrap(
    api.PUT("/api/models/{family_ref}/aliases/{alias}", { params: { path: { family_ref: family, alias } }, body: { version_id: versionId } }),
  );
}

export function useSetAlias(family: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (args: { alias: string; versionId: string }) => setAlias(family, args.alias, args.versionId),
    onSuccess: () => client.invalidateQueries({ queryKey: registryKeys.all }),
  });
}
