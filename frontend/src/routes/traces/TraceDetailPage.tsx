import { Link, useNavigate, useParams } from "react-router";
import { Card, PageHeader } from "../../components/ui/Page";
import { ErrorBox, QueryView } from "../../components/ui/States";
import { useDeleteTrace, useTrace, useTraceScore } from "../../features/traces/api";
import { ScoreSlot } from "../../features/traces/components/ScoreCard";
import { TraceSteps, type StepMark } from "../../features/traces/components/TraceSteps";
import { formatTime, shortId } from "../../lib/format";

/** One trace: prompt, steps in order with wrong arithmetic marked, answer, scores and metadata. */
export function TraceDetailPage() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const trace = useTrace(id);
  const stepCheck = useTraceScore(id, "step_check");
  const baseline = useTraceScore(id, "baseline");
  const remove = useDeleteTrace();
  return (
    <QueryView query={trace} errorTitle="Could not load the trace">
      {(d) => {
        const t = d;
        const marks: StepMark[] = (stepCheck.data?.wrong_steps ?? []).map((w) => ({
          index: w.i,
          message: `${w.expression} = ${w.actual}, not ${w.claimed}`,
        }));
        const onDelete = () => {
          if (window.confirm("Delete this trace? Datasets already built keep their copy.")) {
            remove.mutate(t.id, { onSuccess: () => navigate("/traces") });
          }
        };
        return (
          <>
            <PageHeader
              title={`Trace ${shortId(t.id)}`}
              subtitle={<span className="mono">{t.id}</span>}
              actions={
                <>
                  <Link className="btn" to={`/traces/compare?base=${t.id}`}>
                    Compare with…
                  </Link>
                  <button type="button" className="btn btn-danger" onClick={onDelete} disabled={remove.isPending}>
                    Delete
                  </button>
                </>
              }
            />
            {remove.isError ? <ErrorBox error={remove.error} title="Could not delete" /> : null}
            <div className="grid grid-main-side">
              <div className="stack">
                <Card title="Prompt">
                  <pre className="mono block">{t.prompt}</pre>
                </Card>
                <Card title={`Steps (${t.steps.length})`}>
                  <TraceSteps steps={t.steps} marks={marks} />
                </Card>
                <Card title="Final answer">
                  <pre className="mono block answer" data-testid="final-answer">
                    {t.final_answer}
                  </pre>
                </Card>
              </div>
              <div className="stack">
                <Card title="Scores">
                  <ScoreSlot state={stepCheck} />
                  <ScoreSlot state={baseline} />
                </Card>
                <Card title="Details">
                  <dl className="kv">
                    <dt>Created</dt>
                    <dd>{formatTime(t.created_at)}</dd>
                    <dt>Version</dt>
                    <dd>{t.trace_version}</dd>
                    <dt>Hash</dt>
                    <dd className="mono ellipsis" title={t.content_hash}>
                      {t.content_hash.slice(0, 16)}…
                    </dd>
                  </dl>
                </Card>
                <Card title="Meta">
                  <pre className="mono block small">{JSON.stringify(t.meta ?? {}, null, 2)}</pre>
                </Card>
              </div>
            </div>
          </>
        );
      }}
    </QueryView>
  );
}
