import { onUnauthorized } from "../../client/http";

export const SIGN_IN = "/signin";

/** Where sign-in goes next: a route inside the app, never another site and never sign-in itself. */
export function safeNext(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw === SIGN_IN || raw.startsWith(`${SIGN_IN}?`)) return "/";
  return raw;
}

/** The sign-in route that returns to `next` afterwards. */
export function signInPath(next: string): string {
  const target = safeNext(next);
  return target === "/" ? SIGN_IN : `${SIGN_IN}?next=${encodeURIComponent(target)}`;
}

type AppRouter = {
  readonly state: { location: { pathname: string; search: string } };
  navigate(to: string, opts?: { replace?: boolean }): Promise<void>;
};

/** Sends the user to sign-in on any 401, keeping the route they were on; returns the undo. */
export function redirectOnUnauthorized(router: AppRouter): () => void {
  return onUnauthorized(() => {
    const { pathname, search } = router.state.location;
    if (pathname === SIGN_IN) return; // a refused sign-in is the page's own error to show
    void router.navigate(signInPath(pathname + search), { replace: true });
  });
}
