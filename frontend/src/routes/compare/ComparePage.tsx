import { Link } from "react-router";
import "../../components/ui/insights.css";
import { Card, PageHeader } from "../../components/ui/Page";
import { Empty, QueryView } from "../../components/ui/States";
import { useComparison, useEvaluation, type Comparison } from "../../features/compare/api";
import { ConfigDiffTable } from "../../features/compare/components/ConfigDiffTable";
import { DiffSummary } from "../../features/compare/components/DiffSummary";
import { ItemDiffTable } from "../../features/compare/components/ItemDiffTable";
import { LossOverlay } from "../../features/compare/components/LossOverlay";
import { RunPicker } from "../../features/compare/components/RunPicker";
import { useEvalSets } from "../../features/datasets/api";
import { RunStatus } from "../../features/runs/components/RunStatus";
import { shortId } from "../../lib/format";
import { useQueryState } from "../../lib/searchParams";

function RunHead({ side, run }: { side: "A" | "B"; run: Comparison["a"] }) {
  return (
    <div className="header-meta">
      <span className={`swatch swatch-${side.toLowerCase()}`} aria-hidden="true" />
      <strong>{side}</strong>
      <Link to={`/runs/${run.id}`}>{run.name || shortId(run.id)}</Link>
      <RunStatus status={run.status} />
      <span className="mono muted small-text">
        {run.model ?? "—"} · {run.dataset_key ?? "—"}
      </span>
    </div>
  );
}

/** Two runs (`?a=&b=`): overlaid loss curves, config diff, and the per-item diff with its p-value. */
export function ComparePage() {
  const [params, update] = useQueryState();
  const a = params.get("a") ?? "";
  const b = params.get("b") ?? "";
  const evalSet = params.get("eval_set") ?? "";
  const judge = params.get("judge") ?? "";
  const cmp = useComparison(a, b, evalSet, judge);
  const evalSets = useEvalSets();
  // judges both evaluations ran (the comparison can be redone under any of them)
  const ea = useEvaluation(cmp.data?.items?.evaluation_a);
  const eb = useEvaluation(cmp.data?.items?.evaluation_b);
  const judges = (ea.data?.judges ?? []).filter((j) => eb.data?.judges.includes(j));
  return (
    <>
      <PageHeader title="Compare runs" subtitle="Run A is the baseline; “fixed” items are wrong in A and right in B." />
      <RunPicker key={`${a}|${b}`} a={a} b={b} onPick={(na, nb) => update({ a: na, b: nb, judge: null })} />
      {!a || !b ? (
        <Empty title="Pick two runs">
          Choose them above, or pick two rows on the <Link to="/leaderboard">Leaderboard</Link>.
        </Empty>
      ) : null}
      {a && b ? (
        <QueryView query={cmp} loadingLabel="Comparing…" errorTitle="Could not compare">
          {(c) => (
            <div className="stack">
              <Card>
                <div className="stack">
                  <RunHead side="A" run={c.a} />
                  <RunHead side="B" run={c.b} />
                </div>
              </Card>
              <div className="grid grid-2">
                <Card title="Loss">
                  <LossOverlay a={c.a.id} b={c.b.id} labelA={c.a.name} labelB={c.b.name} />
                </Card>
                <Card title={`Config diff (${c.config_diff.length})`}>
                  <ConfigDiffTable diff={c.config_diff} />
                </Card>
              </div>
              <Card
                title="Per-item difference"
                actions={
                  <span className="header-meta">
                    <label className="header-meta small-text">
                      Eval set
                      <select value={evalSet} onChange={(e) => update({ eval_set: e.target.value, judge: null })}>
                        <option value="">latest shared</option>
                        {evalSets.data?.data.map((s) => (
                          <option key={s.name} value={s.name}>
                            {s.name}
                          </option>
                        ))}
                      </select>
                    </label>
                    {judges.length > 1 ? (
                      <label className="header-meta small-text">
                        Judge
                        <select value={judge || c.items?.judge || ""} onChange={(e) => update({ judge: e.target.value })}>
                          {judges.map((j) => (
                            <option key={j} value={j}>
                              {j}
                            </option>
                          ))}
                        </select>
                      </label>
                    ) : null}
                  </span>
                }
              >
                {c.items ? (
                  <div className="stack">
                    <p className="small-text" data-testid="compare-evaluations">
                      Items of <Link to={`/evaluations/${c.items.evaluation_a}`}>A's evaluation</Link> and{" "}
                      <Link to={`/evaluations/${c.items.evaluation_b}`}>B's evaluation</Link>
                    </p>
                    <DiffSummary nameA={c.a.name} nameB={c.b.name} diff={c.items} />
                    <ItemDiffTable key={`${c.items.evaluation_a}|${c.items.evaluation_b}`} diff={c.items} />
                  </div>
                ) : (
                  <Empty title="No per-item comparison">{c.items_reason ?? "Evaluate both runs on the same eval set."}</Empty>
                )}
              </Card>
            </div>
          )}
        </QueryView>
      ) : null}
    </>
  );
}
