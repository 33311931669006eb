import { Link, useParams } from "react-router";
import "../../components/ui/insights.css";
import { Card, PageHeader } from "../../components/ui/Page";
import { ErrorBox, Loading } from "../../components/ui/States";
import { RunStatus } from "../../features/runs/components/RunStatus";
import { SWEEP_DONE, sweepActive, useCancelSweep, useStartSweep, useSweep } from "../../features/tuning/api";
import { PromoteBest } from "../../features/tuning/components/PromoteBest";
import { TrialTable } from "../../features/tuning/components/TrialTable";
import { describeDistribution } from "../../features/tuning/space";
import { formatNumber, formatTime, shortId } from "../../lib/format";

/** One sweep: its settings, the trial table (updating live while it runs), cancel and promote-best. */
export function TuningDetailPage() {
  const { id = "" } = useParams();
  const sweep = useSweep(id);
  const start = useStartSweep();
  const cancel = useCancelSweep();
  if (sweep.isPending) return <Loading label="Loading sweep…" />;
  if (sweep.isError) return <ErrorBox error={sweep.error} title="Could not load the sweep" />;
  const job = sweep.data;
  const trials = job.trials ?? [];
  const best = trials.find((t) => t.id === job.best_trial_id) ?? null;
  const done = trials.filter((t) => t.finished_at !== null).length;
  const keys = Object.keys(job.search_space);
  return (
    <>
      <PageHeader
        title={job.name}
        subtitle={
          <span className="header-meta">
            <RunStatus status={job.status} />
            <span className="mono muted">{shortId(job.id)}</span>
            {sweepActive(job.status) ? <span className="muted" role="status">updating live</span> : null}
          </span>
        }
        actions={
          <>
            {job.run_id ? (
              <Link className="btn" to={`/runs/${job.run_id}`}>
                Sweep run and logs
              </Link>
            ) : null}
            {job.status === "created" ? (
              <button type="button" className="btn btn-primary" disabled={start.isPending} onClick={() => start.mutate(job.id)}>
                Start
              </button>
            ) : null}
            {!SWEEP_DONE.has(job.status) ? (
              <button type="button" className="btn btn-danger" disabled={cancel.isPending || job.status === "cancel_requested"} onClick={() => cancel.mutate(job.id)}>
                Cancel sweep
              </button>
            ) : null}
          </>
        }
      />
      {start.isError ? <ErrorBox error={start.error} title="Could not start" /> : null}
      {cancel.isError ? <ErrorBox error={cancel.error} title="Could not cancel" /> : null}
      {job.error ? <ErrorBox error={job.error} title="The sweep failed" /> : null}
      <div className="stack">
        <div className="grid grid-main-side">
          <Card title={`Trials (${done} of ${job.num_samples} finished)`}>
            <TrialTable trials={trials} paramKeys={keys} metric={job.metric} bestId={job.best_trial_id} />
            {best ? (
              <p data-testid="best-trial">
                Best: trial {trials.indexOf(best) + 1} with {job.metric} {formatNumber(best.metric_value, 4)} ({job.mode})
              </p>
            ) : null}
          </Card>
          <div className="stack">
            <Card title="Settings">
              <dl className="kv">
                <dt>Dataset</dt>
                <dd className="mono">{job.dataset_key}</dd>
                <dt>Base model</dt>
                <dd className="mono">{job.base_model}</dd>
                <dt>Metric</dt>
                <dd>
                  {job.metric} ({job.mode})
                </dd>
                <dt>Eval set</dt>
                <dd className="mono">{job.eval_set ?? "—"}</dd>
                <dt>Scheduler</dt>
                <dd>{job.scheduler}</dd>
                <dt>Concurrency</dt>
                <dd>{job.max_concurrent_trials}</dd>
                <dt>Seed</dt>
                <dd>{job.seed}</dd>
                <dt>Created</dt>
                <dd>{formatTime(job.created_at)}</dd>
                <dt>Finished</dt>
                <dd>{formatTime(job.finished_at)}</dd>
              </dl>
            </Card>
            <Card title="Search space">
              <dl className="kv" data-testid="search-space">
                {keys.map((k) => (
                  <div key={k} style={{ display: "contents" }}>
                    <dt className="mono">{k}</dt>
                    <dd className="mono">{describeDistribution(job.search_space[k])}</dd>
                  </div>
                ))}
              </dl>
              {Object.keys(job.base_config).length ? (
                <>
                  <p className="muted small-text">Base config, shared by every trial</p>
                  <pre className="mono block small">{JSON.stringify(job.base_config, null, 2)}</pre>
                </>
              ) : null}
            </Card>
            <Card title="Promote the best trial">
              <PromoteBest jobId={job.id} hasBest={best !== null} />
            </Card>
          </div>
        </div>
      </div>
    </>
  );
}
