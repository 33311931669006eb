import { useState, type FormEvent } from "react";
import { EXAMPLE_TRACE, parseTraceJson } from "../draft";
import type { TraceCreate } from "../api";

/** Create a trace by pasting its JSON. */
export function TraceJsonForm({ onSubmit, busy }: { onSubmit: (t: TraceCreate) => void; busy: boolean }) {
  const [text, setText] = useState(EXAMPLE_TRACE);
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseTraceJson(text);
    if (!parsed.ok) {
      setProblem(parsed.message);
      return;
    }
    setProblem(null);
    onSubmit(parsed.value);
  };
  return (
    <form className="form" onSubmit={submit} aria-label="New trace from JSON">
      <label>
        Trace JSON
        <textarea className="mono" rows={14} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
      </label>
      {problem ? (
        <div className="state state-error" role="alert">
          {problem}
        </div>
      ) : null}
      <div>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Saving…" : "Create from JSON"}
        </button>
      </div>
    </form>
  );
}
