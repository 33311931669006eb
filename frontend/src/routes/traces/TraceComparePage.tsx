import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { Card, PageHeader } from "../../components/ui/Page";
import { ErrorBox, Loading } from "../../components/ui/States";
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
      {!base || !other ? null : cmp.isPending ? <Loading /> : null}
      {cmp.isError ? <ErrorBox error={cmp.error} title="Could not compare" /> : null}
      {cmp.data ? (
        <div className="stack">
          <div>
            {cmp.data.same_answer ? (
              <span className="badge badge-ok">same final answer</span>
            ) : (
              <span className="badge badge-warn">different final answers</span>
            )}
          </div>
          <div className="grid grid-2">
            <Side label="Base" trace={cmp.data.base} scores={cmp.data.base_scores} />
            <Side label="Other" trace={cmp.data.other} scores={cmp.data.other_scores} />
          </div>
          <Card title="Steps">
            <StepDiffTable diff={cmp.data.step_diff} />
          </Card>
        </div>
      ) : null}
    </>
  );
}
