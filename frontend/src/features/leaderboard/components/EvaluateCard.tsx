import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { ApiError } from "../../../client/http";
import { Card } from "../../../components/ui/Page";
import { Empty, ErrorBox, QueryView } from "../../../components/ui/States";
import { shortId } from "../../../lib/format";
import { useEvalSets } from "../../datasets/api";
import { RunStatus } from "../../runs/components/RunStatus";
import { EvalProgress } from "../../evaluations/components/EvalProgress";
import { isEvaluating, runEvaluationQuery, useEvaluateRun } from "../api";
import { evaluateBody } from "../evaluate";
import { ScoreCI } from "./ScoreCI";

/** A training run's latest evaluation (status, headline score with its CI) and a form to evaluate it again. */
export function EvaluateCard({ runId }: { runId: string }) {
  const latest = useQuery(runEvaluationQuery(runId));
  const evalSets = useEvalSets();
  const evaluate = useEvaluateRun(runId);
  const [evalSet, setEvalSet] = useState("");
  const [maxNewTokens, setMaxNewTokens] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const none = latest.error instanceof ApiError && latest.error.status === 404;
  const e = latest.data;
  // one evaluation at a time: the button waits for the running one
  const running = isEvaluating(e?.status);
  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    const r = evaluateBody(evalSet, maxNewTokens);
    setProblem(r.ok ? null : r.problem);
    if (r.ok) evaluate.mutate(r.body);
  };
  return (
    <Card title="Evaluation">
      {none ? (
        <Empty title="Not evaluated yet" />
      ) : (
        <QueryView query={latest} errorTitle="Could not load the evaluation">
          {(e) => (
            <>
              <dl className="kv" data-testid="evaluation">
                <dt>Eval set</dt>
                <dd className="mono">{e.eval_set}</dd>
                <dt>Status</dt>
                <dd data-testid="evaluation-status">
                  <RunStatus status={e.status} />
                </dd>
                <dt>{e.primary_judge}</dt>
                <dd data-testid="evaluation-score">
                  <ScoreCI score={e.primary_score} ci={e.ci_low !== null && e.ci_high !== null ? [e.ci_low, e.ci_high] : null} />
                </dd>
                <dt>Items</dt>
                <dd>{e.n_items ?? "—"}</dd>
                <dt>Job</dt>
                <dd className="mono">{e.job_run_id ? <Link to={`/runs/${e.job_run_id}`}>{shortId(e.job_run_id)}</Link> : "—"}</dd>
                <dt>Browse</dt>
                <dd>
                  <Link to={`/evaluations/${e.id}`} data-testid="evaluation-browser-link">
                    Browse the items
                  </Link>
                </dd>
              </dl>
              <EvalProgress evaluation={e} />
              {e.error ? <ErrorBox error={e.error} title="Evaluation failed" /> : null}
              {e.status === "succeeded" ? (
                <p className="small-text">
                  <Link to={`/leaderboard?eval_set=${encodeURIComponent(e.eval_set)}`}>On the leaderboard</Link>
                </p>
              ) : null}
            </>
          )}
        </QueryView>
      )}
      <form className="form" onSubmit={submit} aria-label="Evaluate this run">
        <label>
          Eval set
          <select value={evalSet} onChange={(ev) => setEvalSet(ev.target.value)}>
            <option value="">{evalSets.isPending ? "Loading…" : "Choose an eval set"}</option>
            {evalSets.data?.data.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name} ({s.item_count})
              </option>
            ))}
          </select>
        </label>
        <label>
          Max new tokens
          <input value={maxNewTokens} onChange={(ev) => setMaxNewTokens(ev.target.value)} inputMode="numeric" placeholder="default" />
        </label>
        <div>
          <button type="submit" className="btn btn-primary" disabled={evaluate.isPending || running}>
            {evaluate.isPending ? "Queueing…" : running ? "Evaluating…" : "Evaluate"}
          </button>
        </div>
        {problem ? (
          <div className="state state-error" role="alert">
            {problem}
          </div>
        ) : null}
        {evaluate.isError ? <ErrorBox error={evaluate.error} title="The evaluation was refused" /> : null}
      </form>
    </Card>
  );
}
