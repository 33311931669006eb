import { useNavigate } from "react-router";
import { ApiError } from "../../../client/http";
import { useMe, useSignOut } from "../api";
import { SIGN_IN } from "../redirect";

/** Who is signed in (name and scopes) and a sign-out, or that the server runs without auth. */
export function SessionBadge() {
  const me = useMe();
  const signOut = useSignOut();
  const navigate = useNavigate();
  if (me.isError && !(me.error instanceof ApiError && me.error.status === 401)) {
    return (
      <div className="session muted" data-testid="session" title={me.error.message}>
        session unknown
      </div>
    );
  }
  if (!me.data) return null;
  if (me.data.auth === "off") {
    return (
      <div className="session" data-testid="session">
        <span className="badge badge-warn">auth off: local only</span>
      </div>
    );
  }
  return (
    <div className="session" data-testid="session">
      <div className="session-who">
        <span className="session-name" title={me.data.token_id ? `token ${me.data.token_id}` : undefined}>
          {me.data.name}
        </span>
        {me.data.scopes.map((s) => (
          <span key={s} className="tag session-scope">
            {s}
          </span>
        ))}
      </div>
      <button
        type="button"
        className="btn btn-ghost session-out"
        disabled={signOut.isPending}
        title={signOut.isError ? `Sign-out failed: ${signOut.error.message}` : undefined}
        onClick={() => signOut.mutate(undefined, { onSuccess: () => void navigate(SIGN_IN, { replace: true }) })}
      >
        {signOut.isError ? "Sign out (failed, retry)" : "Sign out"}
      </button>
    </div>
  );
}
