import { useParams } from "react-router";
import { Card, PageHeader } from "../../components/ui/Page";
import { ErrorBox, Loading } from "../../components/ui/States";
import { useTrace } from "../../features/traces/api";
import { TraceSteps } from "../../features/traces/components/TraceSteps";
import { formatTime, shortId } from "../../lib/format";

/** One trace: prompt, steps in order, answer and metadata. */
export function TraceDetailPage() {
  const { id = "" } = useParams();
  const trace = useTrace(id);
  if (trace.isPending) return <Loading />;
  if (trace.isError) return <ErrorBox error={trace.error} title="Could not load the trace" />;
  const t = trace.data;
  return (
    <>
      <PageHeader title={`Trace ${shortId(t.id)}`} subtitle={<span className="mono">{t.id}</span>} />
      <div className="grid grid-main-side">
        <div className="stack">
          <Card title="Prompt">
            <pre className="mono block">{t.prompt}</pre>
          </Card>
          <Card title={`Steps (${t.steps.length})`}>
            <TraceSteps steps={t.steps} />
          </Card>
          <Card title="Final answer">
            <pre className="mono block answer" data-testid="final-answer">
              {t.final_answer}
            </pre>
          </Card>
        </div>
        <div className="stack">
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
}
