import { useState, type FormEvent } from "react";
import { ErrorBox } from "../../../components/ui/States";
import { shortId } from "../../../lib/format";
import { useRuns, type Run } from "../../runs/api";

function RunSelect({ label, value, runs, onChange }: { label: string; value: string; runs: Run[]; onChange: (id: string) => void }) {
  const known = runs.some((r) => r.id === value);
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choose a run…</option>
        {value && !known ? <option value={value}>{value}</option> : null}
        {runs.map((r) => (
          <option key={r.id} value={r.id}>
            {r.name || shortId(r.id)} · {shortId(r.id)} · {r.status}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Two runs picked from the latest training runs (or given by the URL); submitting compares them. */
export function RunPicker({ a, b, onPick }: { a: string; b: string; onPick: (a: string, b: string) => void }) {
  const runs = useRuns({ kind: "train", limit: 200 });
  const [draft, setDraft] = useState({ a, b });
  const list = runs.data?.data ?? [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onPick(draft.a, draft.b);
  };
  return (
    <>
    <form className="pick-row toolbar" onSubmit={submit} aria-label="Runs to compare">
      <RunSelect label="Run A (baseline)" value={draft.a} runs={list} onChange={(id) => setDraft({ ...draft, a: id })} />
      <button type="button" className="btn" aria-label="Swap A and B" onClick={() => setDraft({ a: draft.b, b: draft.a })}>
        ⇄
      </button>
      <RunSelect label="Run B (candidate)" value={draft.b} runs={list} onChange={(id) => setDraft({ ...draft, b: id })} />
      <button type="submit" className="btn btn-primary" disabled={!draft.a || !draft.b || draft.a === draft.b}>
        Compare
      </button>
    </form>
    {runs.isError ? <ErrorBox error={runs.error} title="Could not list runs" /> : null}
    </>
  );
}
