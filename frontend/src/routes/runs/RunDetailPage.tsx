import { Link, useParams } from "react-router";
import { Card, PageHeader } from "../../components/ui/Page";
import { ErrorBox, Loading } from "../../components/ui/States";
import { EvaluateCard } from "../../features/leaderboard/components/EvaluateCard";
import { isActive, useCancelRun, useRun, useRunArtifacts, useRunMetrics } from "../../features/runs/api";
import { ArtifactsTable } from "../../features/runs/components/ArtifactsTable";
import { LogViewer } from "../../features/runs/components/LogViewer";
import { RunCharts } from "../../features/runs/components/RunCharts";
import { RunStatus } from "../../features/runs/components/RunStatus";
import { formatDuration } from "../../features/runs/components/RunTable";
import { useRunLogs } from "../../features/runs/logs";
import { formatTime, shortId } from "../../lib/format";

/** One run: status, live logs, live loss and learning-rate curves, artifacts, config; cancel. */
export function RunDetailPage() {
  const { id = "" } = useParams();
  const run = useRun(id);
  const active = isActive(run.data?.status);
  const logs = useRunLogs(id);
  const metrics = useRunMetrics(id, active || logs.live);
  const files = useRunArtifacts(id, active);
  const cancel = useCancelRun();
  if (run.isPending) return <Loading />;
  if (run.isError) return <ErrorBox error={run.error} title="Could not load the run" />;
  const r = run.data;
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
          active ? (
            <button type="button" className="btn btn-danger" disabled={cancel.isPending || r.status === "cancel_requested"} onClick={() => cancel.mutate(r.id)}>
              {r.status === "cancel_requested" ? "Cancelling…" : "Cancel run"}
            </button>
          ) : null
        }
      />
      {cancel.isError ? <ErrorBox error={cancel.error} title="Could not cancel" /> : null}
      {r.error ? <ErrorBox error={r.error} title={`Run ${r.status}`} /> : null}
      <div className="grid grid-main-side">
        <div className="stack">
          <RunCharts state={metrics} />
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
          {files.isPending ? <Loading /> : null}
          {files.isError ? <ErrorBox error={files.error} /> : null}
          {files.data ? <ArtifactsTable runId={r.id} files={files.data.data} /> : null}
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
