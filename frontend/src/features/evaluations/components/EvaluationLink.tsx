import { Link } from "react-router";
import { Card } from "../../../components/ui/Page";
import { QueryView } from "../../../components/ui/States";
import { shortId } from "../../../lib/format";
import { ScoreCI } from "../../leaderboard/components/ScoreCI";
import { RunStatus } from "../../runs/components/RunStatus";
import { useEvaluationDetail } from "../api";
import { EvalProgress } from "./EvalProgress";

/** On an `evaluate` job's page: the evaluation it executes, the run it scores, its progress and score. */
export function EvaluationLink({ evaluationId }: { evaluationId: string }) {
  const evaluation = useEvaluationDetail(evaluationId);
  return (
    <Card title="Evaluation">
      <QueryView query={evaluation} errorTitle="Could not load the evaluation">
        {(e) => (
          <div className="stack">
            <dl className="kv" data-testid="job-evaluation">
              <dt>Evaluation</dt>
              <dd>
                <Link to={`/evaluations/${e.id}`}>Open the items ({shortId(e.id)})</Link>
              </dd>
              <dt>Scores run</dt>
              <dd>
                <Link to={`/runs/${e.run_id}`}>{shortId(e.run_id)}</Link>
              </dd>
              <dt>Eval set</dt>
              <dd className="mono">{e.eval_set}</dd>
              <dt>Status</dt>
              <dd>
                <RunStatus status={e.status} />
              </dd>
              <dt>{e.primary_judge}</dt>
              <dd>
                <ScoreCI score={e.primary_score} ci={e.ci_low !== null && e.ci_high !== null ? [e.ci_low, e.ci_high] : null} />
              </dd>
            </dl>
            <EvalProgress evaluation={e} />
          </div>
        )}
      </QueryView>
    </Card>
  );
}
