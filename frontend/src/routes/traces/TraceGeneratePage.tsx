import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { Card, PageHeader } from "../../components/ui/Page";
import { ErrorBox, Loading, QueryView } from "../../components/ui/States";
import { useGenerateDuels, useUngarStatus, type DuelRequest } from "../../features/generators/api";
import { TraceSteps } from "../../features/traces/components/TraceSteps";

const PREVIEW = 3;

/** Deal High Card Duel traces from a seed: preview a few, then store them all. */
export function TraceGeneratePage() {
  const status = useUngarStatus();
  const preview = useGenerateDuels();
  const save = useGenerateDuels();
  const [form, setForm] = useState<Required<Omit<DuelRequest, "persist">>>({ count: 100, seed: 0, hand_size: 1 });
  const num = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: Number(e.target.value) });
  const onPreview = (e: FormEvent) => {
    e.preventDefault();
    save.reset();
    preview.mutate({ ...form, count: Math.min(form.count, PREVIEW), persist: false });
  };
  return (
    <>
      <PageHeader title="Generate traces" subtitle="Deterministic traces from a generator and a seed." />
      <div className="grid grid-main-side">
        <div className="stack">
          <Card title="High Card Duel">
            <form className="form" onSubmit={onPreview} aria-label="Generator settings">
              <div className="row">
                <label className="grow">
                  Count
                  <input type="number" min={1} max={10000} value={form.count} onChange={num("count")} />
                </label>
                <label className="grow">
                  Seed
                  <input type="number" min={0} value={form.seed} onChange={num("seed")} />
                </label>
                <label className="grow">
                  Hand size
                  <input type="number" min={1} max={5} value={form.hand_size} onChange={num("hand_size")} />
                </label>
              </div>
              <div className="row">
                <button type="submit" className="btn" disabled={preview.isPending}>
                  Preview
                </button>
                <button
                  type="button"
                  className="btn btn-primary"
                  disabled={save.isPending}
                  onClick={() => save.mutate({ ...form, persist: true })}
                >
                  {save.isPending ? "Saving…" : `Generate and save ${form.count}`}
                </button>
              </div>
            </form>
            {preview.isError ? <ErrorBox error={preview.error} title="Preview failed" /> : null}
            {save.isError ? <ErrorBox error={save.error} title="Generation failed" /> : null}
            {save.data ? (
              <div className="state state-ok" role="status" data-testid="generate-result">
                Stored {save.data.created} new traces ({save.data.duplicates} already present).{" "}
                <Link to="/traces?category=high_card_duel">Open them in Traces</Link>
              </div>
            ) : null}
          </Card>
          {preview.isPending ? <Loading label="Dealing…" /> : null}
          {preview.data
            ? preview.data.traces.map((t, n) => (
                <Card key={n} title={`Preview ${n + 1} of ${preview.data.count}`}>
                  <pre className="mono block">{t.prompt}</pre>
                  <TraceSteps steps={t.steps} />
                  <p>
                    Answer: <strong className="mono">{t.final_answer}</strong>
                  </p>
                </Card>
              ))
            : null}
        </div>
        <Card title="Generators">
          <QueryView query={status}>
            {(data) => (
              <dl className="kv">
                <dt>Available</dt>
                <dd>{data.available ? "yes" : "no"}</dd>
                <dt>Games</dt>
                <dd className="mono">{data.games.join(", ")}</dd>
                <dt>Version</dt>
                <dd className="mono">{data.version}</dd>
              </dl>
            )}
          </QueryView>
        </Card>
      </div>
    </>
  );
}
