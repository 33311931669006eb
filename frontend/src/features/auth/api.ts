import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../client/http";
import type { Schemas } from "../../client/types";

/** Who the session is: `GET /api/auth/me` and the answer of a sign-in. */
export type Session = Schemas["Me"];

export const authKeys = { me: ["auth", "me"] as const };

/** GET /api/auth/me: who this session is (name `anonymous` with every scope when auth is off). */
export function fetchMe() {
  return unwrap(api.GET("/api/auth/me"));
}

export const meQuery = () => queryOptions({ queryKey: authKeys.me, queryFn: fetchMe, staleTime: 60_000 });

export const useMe = () => useQuery(meQuery());

/** POST /api/auth/session: trades a token for the HttpOnly session cookie. */
export function signIn(token: string) {
  return unwrap(api.POST("/api/auth/session", { body: { token } }));
}

/** DELETE /api/auth/session: clears the session cookie. */
export function signOut() {
  return unwrap(api.DELETE("/api/auth/session"));
}

/** Signs in; the cache starts afresh so nothing fetched under another identity survives. */
export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: signIn,
    onSuccess: (session) => {
      client.clear();
      client.setQueryData(authKeys.me, session);
    },
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({ mutationFn: signOut, onSuccess: () => client.clear() });
}
