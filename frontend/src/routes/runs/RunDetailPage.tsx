import { Link, useParams } from "react-router";
import { ConfirmButton } from "../../components/ui/ConfirmButton";
import { Card, PageHeader } from "../../components/ui/Page";
import { ErrorBox, QueryView } from "../../components/ui/States";
import { EvaluationLink } from "../../features/evaluations/components/EvaluationLink";
import { isEvaluating, useRunEvaluation } from "../../features/leaderboard/api";
import { EvaluateCard } from "../../features/leaderboard/components/EvaluateCard";
import { isActive, useCancelRun, useRun, useRunArtifacts, useRunMetrics, useRunProgress, type Run } from "../../features/runs/api";
import { ArtifactsTable } from "../../features/runs/components/ArtifactsTable";
import { LogViewer } from "../../features/runs/components/LogViewer";
import { RunCharts } from "../../features/runs/components/RunCharts";
import { RunProgress } from "../../features/runs/components/RunProgress";
import { RunStatus } from "../../features/runs/components/RunStatus";
import { formatDuration } from "../../features/runs/components/RunTable";
import { cloneHref } from "../../features/runs/launch";
import { useRunLogs } from "../../features/runs/logs";
import { isGrpo } from "../../features/rl/api";
import { RlRunPanel } from "../../features/rl/components/RlRunPanel";
import { formatTime, shortId } from "../../lib/format";

/** The evaluation an `evaluate` job executes (its payload names it). */
const evaluationOf = (r: Run): string | null => {
  const v = (r.config as Record<string, unknown>).evaluation_id;
  return typeof v === "string" ? v : null;
};

/** One run: status, progress, live logs, live curves (a GRPO run's rewards and samples), artifacts, config; cancel (confirmed), clone. */
export function RunDetailPage() {
  const { id = "" } = useParams();
  const run = useRun(id);
  return (
    <QueryView query={run} errorTitle="Could not load the run">
      {(r) => <RunView r={r} />}
    </QueryView>
  );
}

function RunView({ r }: { r: Run }) {
  const id = r.id;
  const active = isActive(r.status);
  const logs = useRunLogs(id);
  const metrics = useRunMetrics(id, active || logs.live);
  // a training run's evaluation writes its predictions file into the run: list files while it runs
  const evaluation = useRunEvaluation(r.kind === "train" && r.status === "succeeded" ? id : null);
  const files = useRunArtifacts(id, active || isEvaluating(evaluation.data?.status));
  const cancel = useCancelRun();
  const progress = useRunProgress(id, active).data;
  const showProgress = r.kind === "train" && progress && progress.step !== null;
  const evaluationId = r.kind === "evaluate" ? evaluationOf(r) : null;
  return (
    <>
      <PageHeader
        title={r.name || `Run ${shortId(r.id)}`}
        subtitle={
          <span className="header-meta">
            <RunStatus status={r.status} /> <span className="mono">{r.id}</span>
          </span>
        }
        actions={
          <>
            {r.kind === "train" ? (
              <Link className="btn" to={cloneHref(r)}>
                Clone into launch form
              </Link>
            ) : null}
            {active ? (
              <ConfirmButton
                label="Cancel run"
                question="Cancel this run?"
                confirmLabel="Yes, cancel run"
                busy={cancel.isPending || r.status === "cancel_requested"}
                busyLabel="Cancelling…"
                onConfirm={() => cancel.mutate(r.id)}
              />
            ) : null}
          </>
        }
      />
      {showProgress ? (
        <div className="section-tight">
          <RunProgress progress={progress} active={active} />
        </div>
      ) : null}
      {evaluationId ? (
        <div className="section-tight">
          <EvaluationLink evaluationId={evaluationId} />
        </div>
      ) : null}
      {cancel.isError ? <ErrorBox error={cancel.error} title="Could not cancel" /> : null}
      {r.error ? <ErrorBox error={r.error} title={`Run ${r.status}`} /> : null}
      <div className="grid grid-main-side">
        <div className="stack">
          {/* an evaluate job logs no training metrics: its numbers are on the evaluation's page */}
          {r.kind !== "train" ? null : isGrpo(r.config) ? (
            <RlRunPanel runId={id} metrics={metrics} active={active} />
          ) : (
            <RunCharts state={metrics} />
          )}
          <Card title="Logs">
            <LogViewer lines={logs.lines} live={logs.live} />
          </Card>
        </div>
        <div className="stack">
          {r.kind === "train" && r.status === "succeeded" ? <EvaluateCard runId={r.id} /> : null}
          <Card title="Details">
            <dl className="kv">
              <dt>Kind</dt>
              <dd>{r.kind}</dd>
              <dt>Model</dt>
              <dd className="mono">{r.model ?? "—"}</dd>
              <dt>Backend</dt>
              <dd>{r.backend ?? "—"}</dd>
              <dt>Dataset</dt>
              <dd className="mono">{r.dataset_key ? <Link to={`/datasets/${encodeURIComponent(r.dataset_key)}`}>{r.dataset_key}</Link> : "—"}</dd>
              <dt>Created</dt>
              <dd>{formatTime(r.created_at)}</dd>
              <dt>Started</dt>
              <dd>{formatTime(r.started_at)}</dd>
              <dt>Finished</dt>
              <dd>{formatTime(r.finished_at)}</dd>
              <dt>Duration</dt>
              <dd>{formatDuration(r.duration_s)}</dd>
              <dt>Attempts</dt>
              <dd>{r.attempts}</dd>
              <dt>Exit code</dt>
              <dd>{r.exit_code ?? "—"}</dd>
            </dl>
          </Card>
          <Card title="Config">
            <pre className="mono block small config">{JSON.stringify(r.config, null, 2)}</pre>
          </Card>
        </div>
      </div>
      <div className="stack section">
        <Card title="Artifacts">
          <QueryView query={files} errorTitle="Could not list the files">
            {(page) => <ArtifactsTable runId={r.id} files={page.data} />}
          </QueryView>
        </Card>
        {r.traceback ? (
          <Card title="Traceback">
            <pre className="mono block small">{r.traceback}</pre>
          </Card>
        ) : null}
      </div>
    </>
  );
}
