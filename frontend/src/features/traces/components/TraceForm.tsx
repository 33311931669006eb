import { useState, type FormEvent } from "react";
import { draftToTrace, emptyDraft, type TraceDraft } from "../draft";
import type { TraceCreate } from "../api";

/** The structured create form: prompt, ordered steps, answer, category and tags. */
export function TraceForm({ onSubmit, busy }: { onSubmit: (t: TraceCreate) => void; busy: boolean }) {
  const [draft, setDraft] = useState<TraceDraft>(emptyDraft);
  const set = (patch: Partial<TraceDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const setStep = (n: number, patch: Partial<TraceDraft["steps"][number]>) =>
    setDraft((d) => ({ ...d, steps: d.steps.map((s, i) => (i === n ? { ...s, ...patch } : s)) }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(draftToTrace(draft));
  };

  return (
    <form className="form" onSubmit={submit} aria-label="New trace">
      <label>
        Prompt
        <textarea rows={3} value={draft.prompt} onChange={(e) => set({ prompt: e.target.value })} required />
      </label>
      <fieldset>
        <legend>Steps</legend>
        {draft.steps.map((step, n) => (
          <div className="step-row" key={n}>
            <span className="step-index">#{n}</span>
            <input
              aria-label={`Step ${n} type`}
              className="step-type"
              value={step.type}
              onChange={(e) => setStep(n, { type: e.target.value })}
            />
            <input
              aria-label={`Step ${n} content`}
              className="mono grow"
              value={step.content}
              onChange={(e) => setStep(n, { content: e.target.value })}
            />
            <button
              type="button"
              className="btn btn-ghost"
              aria-label={`Remove step ${n}`}
              disabled={draft.steps.length === 1}
              onClick={() => set({ steps: draft.steps.filter((_, i) => i !== n) })}
            >
              ✕
            </button>
          </div>
        ))}
        <button type="button" className="btn" onClick={() => set({ steps: [...draft.steps, { type: "compute", content: "" }] })}>
          Add step
        </button>
      </fieldset>
      <label>
        Final answer
        <input value={draft.finalAnswer} onChange={(e) => set({ finalAnswer: e.target.value })} required />
      </label>
      <div className="row">
        <label className="grow">
          Category
          <input value={draft.category} onChange={(e) => set({ category: e.target.value })} placeholder="arithmetic" />
        </label>
        <label className="grow">
          Tags (comma-separated)
          <input value={draft.tags} onChange={(e) => set({ tags: e.target.value })} placeholder="addition, carry" />
        </label>
      </div>
      <div>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Saving…" : "Create trace"}
        </button>
      </div>
    </form>
  );
}
