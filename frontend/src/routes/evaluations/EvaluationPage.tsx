import { Link, useParams } from "react-router";
import "../../components/ui/insights.css";
import { Card, PageHeader } from "../../components/ui/Page";
import { ErrorBox, QueryView } from "../../components/ui/States";
import { Tabs } from "../../components/ui/Tabs";
import { useEvaluationDetail, type Evaluation } from "../../features/evaluations/api";
import { EvalProgress } from "../../features/evaluations/components/EvalProgress";
import { ItemBrowser } from "../../features/evaluations/components/ItemBrowser";
import { BudgetView } from "../../features/evaluations/components/BudgetView";
import { ScoreCI } from "../../features/leaderboard/components/ScoreCI";
import { useRun } from "../../features/runs/api";
import { RunStatus } from "../../features/runs/components/RunStatus";
import { formatTime, shortId } from "../../lib/format";
import { useQueryState } from "../../lib/searchParams";

type View = "items" | "budget";

/** One evaluation (`/evaluations/ID`): its links, progress, every judge's score, and the item browser. */
export function EvaluationPage() {
  const { id = "" } = useParams();
  const evaluation = useEvaluationDetail(id);
  return (
    <QueryView query={evaluation} errorTitle="Could not load the evaluation">
      {(e) => <EvaluationView e={e} />}
    </QueryView>
  );
}

function EvaluationView({ e }: { e: Evaluation }) {
  const [params, update] = useQueryState();
  const scored = useRun(e.run_id);
  const view: View = params.get("view") === "budget" ? "budget" : "items";
  const judges = Object.entries(e.scorecard?.judges ?? {});
  return (
    <>
      <PageHeader
        title={`Evaluation on ${e.eval_set}`}
        subtitle={
          <span className="header-meta">
            <RunStatus status={e.status} /> <span className="mono">{e.id}</span>
          </span>
        }
        actions={
          <Link className="btn" to={`/leaderboard?eval_set=${encodeURIComponent(e.eval_set)}`}>
            Leaderboard for {e.eval_set}
          </Link>
        }
      />
      {e.error ? <ErrorBox error={e.error} title="Evaluation failed" /> : null}
      <div className="grid grid-main-side">
        <Card title="Scores">
          <EvalProgress evaluation={e} />
          {judges.length ? (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Judge</th>
                    <th>Score (95% CI)</th>
                    <th className="num">Scored</th>
                    <th>Labels</th>
                  </tr>
                </thead>
                <tbody>
                  {judges.map(([name, card]) => (
                    <tr key={name} data-testid="judge-row">
                      <td className="mono">
                        {name}
                        {name === e.primary_judge ? <span className="badge badge-info best-mark">primary</span> : null}
                      </td>
                      <td>
                        <ScoreCI score={card.mean} ci={card.ci95} />
                      </td>
                      <td className="num">
                        {card.scored} / {card.n}
                      </td>
                      <td className="small-text">
                        {Object.entries(card.labels).map(([label, n]) => (
                          <button key={label} type="button" className="tag tag-button" onClick={() => update({ view: null, judge: name === e.primary_judge ? null : name, label, offset: null })}>
                            {label} {n}
                          </button>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted">{e.status === "failed" ? "No scorecard: the evaluation failed." : "The scorecard appears when judging ends."}</p>
          )}
        </Card>
        <Card title="Links">
          <dl className="kv" data-testid="evaluation-links">
            <dt>Scored run</dt>
            <dd>
              <Link to={`/runs/${e.run_id}`}>{scored.data?.name || shortId(e.run_id)}</Link>
            </dd>
            <dt>Evaluate job</dt>
            <dd>{e.job_run_id ? <Link to={`/runs/${e.job_run_id}`}>{shortId(e.job_run_id)}</Link> : "—"}</dd>
            <dt>Model</dt>
            <dd className="mono">{e.model ?? "—"}</dd>
            <dt>Dataset</dt>
            <dd className="mono">{e.dataset_key ? <Link to={`/datasets/${encodeURIComponent(e.dataset_key)}`}>{e.dataset_key}</Link> : "—"}</dd>
            <dt>Items</dt>
            <dd>{e.n_items ?? "—"}</dd>
            <dt>Created</dt>
            <dd>{formatTime(e.created_at)}</dd>
            <dt>Finished</dt>
            <dd>{formatTime(e.finished_at)}</dd>
          </dl>
        </Card>
      </div>
      <div className="section">
        <Tabs<View>
          label="Evaluation views"
          tabs={[
            { id: "items", label: "Items" },
            { id: "budget", label: "Reasoning budget" },
          ]}
          value={view}
          onChange={(v) => update({ view: v === "items" ? null : v })}
        />
        {view === "items" ? <ItemBrowser evaluation={e} /> : <BudgetView evaluation={e} />}
      </div>
    </>
  );
}
