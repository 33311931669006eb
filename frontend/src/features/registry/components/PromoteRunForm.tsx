import { useId, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { ErrorBox } from "../../../components/ui/States";
import { shortId } from "../../../lib/format";
import { useRuns } from "../../runs/api";
import { usePromoteRun } from "../api";

const list = (text: string) => text.split(",").map((a) => a.trim()).filter(Boolean);

/** Promote a succeeded training run's final model into the family, with an optional label and aliases. */
export function PromoteRunForm({ family }: { family: string }) {
  const ids = useId();
  const runs = useRuns({ kind: "train", status: "succeeded", limit: 200 });
  const promote = usePromoteRun(family);
  const [runId, setRunId] = useState("");
  const [label, setLabel] = useState("");
  const [aliases, setAliases] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    promote.mutate({ run_id: runId.trim(), label: label.trim() || null, aliases: list(aliases) });
  };
  return (
    <form className="form" onSubmit={submit} aria-label="Promote a run">
      <datalist id={`${ids}-runs`}>
        {runs.data?.data.map((r) => (
          <option key={r.id} value={r.id}>
            {r.name} · {shortId(r.id)}
          </option>
        ))}
      </datalist>
      <label>
        Run id (a succeeded training run)
        <input className="mono" list={`${ids}-runs`} value={runId} onChange={(e) => setRunId(e.target.value)} required />
      </label>
      {runs.data && runs.data.data.length === 0 ? <p className="muted small-text">No succeeded training run yet.</p> : null}
      <label>
        Label (default: the next v1, v2, …)
        <input className="mono" value={label} onChange={(e) => setLabel(e.target.value)} />
      </label>
      <label>
        Aliases (comma-separated)
        <input className="mono" value={aliases} onChange={(e) => setAliases(e.target.value)} placeholder="candidate" />
      </label>
      <div>
        <button type="submit" className="btn btn-primary" disabled={promote.isPending}>
          Promote
        </button>
      </div>
      {promote.isError ? <ErrorBox error={promote.error} title="Promotion refused" /> : null}
      {promote.data ? (
        <div className="state state-ok" role="status">
          {promote.data.created ? "Registered" : "Identical content is already registered as"}{" "}
          <Link to={`/registry/versions/${promote.data.version.id}`}>{promote.data.version.label}</Link>.
        </div>
      ) : null}
    </form>
  );
}
