import { useEffect, useRef, useState, type FormEvent } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { ApiError } from "../client/http";
import { useSignIn } from "../features/auth/api";
import { safeNext } from "../features/auth/redirect";

function refusal(error: Error): string {
  if (error instanceof ApiError && error.status === 401) return "The server did not accept this token: it is unknown, expired or revoked.";
  return error.message;
}

/**
 * Trades an API token for a session cookie, then opens the route the user was headed to
 * (`?next=`). A `?token=` in the URL (the link `tunix-rt serve` prints) signs in at once and
 * leaves the address bar and the history at once.
 */
export function SignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const signIn = useSignIn();
  const [token, setToken] = useState("");
  const urlTokenUsed = useRef(false);
  const next = safeNext(params.get("next"));
  const urlToken = params.get("token");

  useEffect(() => {
    if (!urlToken || urlTokenUsed.current) return;
    urlTokenUsed.current = true;
    const rest = new URLSearchParams(params);
    rest.delete("token");
    void navigate({ search: rest.size ? `?${rest}` : "" }, { replace: true });
    signIn.mutate(urlToken, { onSuccess: () => void navigate(next, { replace: true }) });
  }, [urlToken, params, navigate, signIn, next]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate(token.trim(), { onSuccess: () => void navigate(next, { replace: true }) });
  };
  return (
    <main className="signin" id="main">
      <section className="card signin-card">
        <div className="brand brand-dark">
          <span className="brand-mark" aria-hidden="true" />
          Tunix RT
        </div>
        <h1>Sign in</h1>
        <p className="muted">
          Paste an API token. <code>tunix-rt tokens create NAME --scope read|write|admin</code> prints one; <code>tunix-rt serve</code> prints a
          sign-in link while no admin token exists.
        </p>
        <form className="form" onSubmit={submit} aria-label="Sign in">
          <label>
            API token
            <input type="password" className="mono" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} required />
          </label>
          <div>
            <button type="submit" className="btn btn-primary" disabled={signIn.isPending || !token.trim()}>
              {signIn.isPending ? "Signing in…" : "Sign in"}
            </button>
          </div>
        </form>
        {signIn.isError ? (
          <div className="state state-error" role="alert">
            <strong>Sign-in failed</strong>
            <div>{refusal(signIn.error)}</div>
          </div>
        ) : null}
      </section>
    </main>
  );
}
