import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { Card, PageHeader } from "../../components/ui/Page";
import { QueryView } from "../../components/ui/States";
import { useTraceCompare, type TraceComparison } from "../../features/traces/api";
import { ScoreLine } from "../../features/traces/components/ScoreCard";
import { StepDiffTable } from "../../features/traces/components/StepDiffTable";
import { shortId } from "../../lib/format";
import { useQueryState } from "../../lib/searchParams";

function Side({ label, trace, scores }: { label: string; trace: TraceComparison["base"]; scores: TraceComparison["base_scores"] }) {
  return (
    <Card title={`${label}: ${shortId(trace.id)}`} actions={<Link to={`/traces/${trace.id}`}>Open</Link>}>
      <pre className="mono block">{trace.prompt}</pre>
      <p>
        Answer: <strong className="mono" data-testid={`answer-${label.toLowerCase()}`}>{trace.final_answer}</strong>
      </p>
      {scores.map((s) => (
        <ScoreLine key={s.scorer} score={s} />
      ))}
    </Card>
  );
}

/** Two traces side by side (`?base=&other=`) with a step diff and both traces' scores. */
export function TraceComparePage() {
  const [params, update] = useQueryState();
  const base = params.get("base") ?? "";
  const other = params.get("other") ?? "";
  const [draft, setDraft] = useState({ base, other });
  const cmp = useTraceCompare(base, other);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    update({ base: draft.base.trim(), other: draft.other.trim() });
  };
  return (
    <>
      <PageHeader title="Compare traces" subtitle="Pick two traces on the Traces page, or paste their ids." />
      <form className="toolbar" onSubmit={submit} aria-label="Traces to compare">
        <label className="grow">
          Base trace id
          <input className="mono" value={draft.base} onChange={(e) => setDraft({ ...draft, base: e.target.value })} />
        </label>
        <label className="grow">
          Other trace id
          <input className="mono" value={draft.other} onChange={(e) => setDraft({ ...draft, other: e.target.value })} />
        </label>
        <button className="btn btn-primary" type="submit" disabled={!draft.base.trim() || !draft.other.trim()}>
          Compare
        </button>
      </form>
      {base && other ? (
        <QueryView query={cmp} errorTitle="Could not compare">
          {(c) => (
            <div className="stack">
              <div>
                {c.same_answer ? (
                  <span className="badge badge-ok">same final answer</span>
                ) : (
                  <span className="badge badge-warn">different final answers</span>
                )}
              </div>
              <div className="grid grid-2">
                <Side label="Base" trace={c.base} scores={c.base_scores} />
                <Side label="Other" trace={c.other} scores={c.other_scores} />
              </div>
              <Card title="Steps">
                <StepDiffTable diff={c.step_diff} />
              </Card>
            </div>
          )}
        </QueryView>
      ) : null}
    </>
  );
}
