import { Link, useParams } from "react-router";
import "../../components/ui/insights.css";
import { ConfirmButton } from "../../components/ui/ConfirmButton";
import { Card, PageHeader } from "../../components/ui/Page";
import { ErrorBox, QueryView } from "../../components/ui/States";
import { ProgressBar } from "../../features/runs/components/RunProgress";
import { RunStatus } from "../../features/runs/components/RunStatus";
import { SWEEP_DONE, sweepActive, useCancelSweep, useStartSweep, useSweep } from "../../features/tuning/api";
import { PromoteBest } from "../../features/tuning/components/PromoteBest";
import { MetricVsParams, ParallelCoordinates } from "../../features/tuning/components/SweepPlots";
import { TrialTable } from "../../features/tuning/components/TrialTable";
import { describeDistribution } from "../../features/tuning/space";
import { formatNumber, formatTime, shortId } from "../../lib/format";

/** One sweep: its settings, the trial table (updating live while it runs), cancel and promote-best. */
export function TuningDetailPage() {
  const { id = "" } = useParams();
  const sweep = useSweep(id);
  const start = useStartSweep();
  const cancel = useCancelSweep();
  return (
    <QueryView query={sweep} errorTitle="Could not load the sweep" loadingLabel="Loading sweep…">
      {(d) => {
        const job = d;
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
                    <ConfirmButton
                      label="Cancel sweep"
                      question="Cancel this sweep and its trials?"
                      confirmLabel="Yes, cancel sweep"
                      busy={cancel.isPending || job.status === "cancel_requested"}
                      busyLabel="Cancelling…"
                      onConfirm={() => cancel.mutate(job.id)}
                    />
                  ) : null}
                </>
              }
            />
            {start.isError ? <ErrorBox error={start.error} title="Could not start" /> : null}
            {cancel.isError ? <ErrorBox error={cancel.error} title="Could not cancel" /> : null}
            {job.error ? <ErrorBox error={job.error} title="The sweep failed" /> : null}
            {job.failures?.length ? (
              <div className="state state-error" role="alert" data-testid="trial-failures">
                <strong>
                  {job.failures.length} trial{job.failures.length === 1 ? "" : "s"} failed
                </strong>
                <ul className="small-text">
                  {job.failures.map((f) => (
                    <li key={f.trial_id}>
                      trial {trials.findIndex((t) => t.id === f.trial_id) + 1 || shortId(f.trial_id)}
                      {f.run_id ? (
                        <>
                          {" "}
                          (<Link to={`/runs/${f.run_id}`}>run {shortId(f.run_id)}</Link>)
                        </>
                      ) : null}
                      : <span className="mono">{f.cause}</span>
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
            {job.progress ? (
              <div className="section-tight">
                <div className="run-progress" data-testid="sweep-progress">
                  <div className="run-progress-words">
                    <strong>
                      {job.progress.finished} / {job.progress.total} trials finished
                    </strong>
                    <span>{job.progress.running} running</span>
                    <span>{job.progress.queued} queued</span>
                  </div>
                  <ProgressBar fraction={job.progress.total ? job.progress.finished / job.progress.total : null} label="Sweep progress" />
                </div>
              </div>
            ) : null}
            <div className="stack">
              <div className="grid grid-main-side">
                <Card title={`Trials (${done} of ${job.num_samples} finished)`}>
                  <p className="small-text" data-testid="metric-definition">
                    Ranked on <strong>{job.metric_definition || job.metric}</strong>, {job.mode === "max" ? "highest" : "lowest"} first.
                  </p>
                  <TrialTable trials={trials} paramKeys={keys} metric={job.metric} bestId={job.best_trial_id} mode={job.mode} />
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
              <Card title="Parameters and the metric">
                <div className="stack">
                  <ParallelCoordinates trials={trials} searchSpace={job.search_space} metric={job.metric} mode={job.mode} bestId={job.best_trial_id} />
                  <MetricVsParams trials={trials} searchSpace={job.search_space} metric={job.metric} mode={job.mode} bestId={job.best_trial_id} />
                </div>
              </Card>
            </div>
          </>
        );
      }}
    </QueryView>
  );
}
