import { useMemo } from "react";
import { LineChart, type ChartSeries } from "../../../components/ui/LineChart";
import { Card } from "../../../components/ui/Page";
import { Empty, QueryView } from "../../../components/ui/States";
import { useQueryState } from "../../../lib/searchParams";
import { isEvaluating } from "../../leaderboard/api";
import { useBudget, type BudgetReport, type Evaluation } from "../api";

const pct = (x: number | null | undefined) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`);

const SOURCE: Record<BudgetReport["token_source"], string> = {
  stored: "generation lengths as stored at evaluation time",
  tokenizer: "lengths re-counted with the run's tokenizer",
  approximate: "approximate lengths (no tokenizer was available)",
};

/** Accuracy per length bucket as bars on a 0–100% scale. */
function BucketBars({ title, unit, buckets }: { title: string; unit: string; buckets: BudgetReport["by_tokens"] }) {
  if (!buckets.length) return <Empty title={`No ${unit} counted`} />;
  return (
    <div data-testid={`buckets-${unit}`}>
      <h3>{title}</h3>
      <div className="bucket-head muted small-text">
        <span>{unit}</span>
        <span>accuracy</span>
        <span className="num">items</span>
      </div>
      {buckets.map((b) => (
        <div key={`${b.lo}-${b.hi}`} className="count-row bucket-row" data-testid="bucket-row">
          <span className="mono">
            {b.lo}–{b.hi - 1}
          </span>
          <span className="count-bar" title={pct(b.accuracy)}>
            <span style={{ width: `${(b.accuracy ?? 0) * 100}%` }} />
          </span>
          <span className="num">
            {pct(b.accuracy)} · {b.n}
          </span>
        </div>
      ))}
    </div>
  );
}

/**
 * Reasoning-budget analytics of one evaluation, computed by the server from the stored items:
 * accuracy by generated tokens and by steps, the truncation rate, and accuracy at a token budget B
 * (an item that needed more than B tokens counts as truncated, so wrong) as a curve.
 */
export function BudgetView({ evaluation }: { evaluation: Evaluation }) {
  const [params] = useQueryState();
  const judge = params.get("judge") || undefined;
  const budget = useBudget(evaluation.id, judge, isEvaluating(evaluation.status));
  return (
    <QueryView query={budget} loadingLabel="Measuring budgets…" errorTitle="Could not compute the budget analytics" isEmpty={(r) => r.judged === 0} empty={<Empty title="Nothing judged yet">Budget analytics need judged items.</Empty>}>
      {(r) => <BudgetReportView report={r} />}
    </QueryView>
  );
}

function BudgetReportView({ report: r }: { report: BudgetReport }) {
  const curve = useMemo<ChartSeries[]>(
    () => [
      { label: "accuracy at budget", points: r.curve.filter((p) => p.accuracy !== null).map((p) => ({ x: p.budget, y: p.accuracy as number })) },
      { label: "truncated at budget", points: r.curve.filter((p) => p.truncated !== null).map((p) => ({ x: p.budget, y: p.truncated as number })), dash: [6, 4] },
    ],
    [r.curve],
  );
  return (
    <div className="stack" data-testid="budget">
      <div className="stat-grid">
        <div className="stat">
          <span className="stat-value" data-testid="budget-accuracy">
            {pct(r.accuracy)}
          </span>
          <span className="stat-label">accuracy ({r.judge})</span>
        </div>
        <div className="stat">
          <span className="stat-value" data-testid="budget-truncation">
            {pct(r.truncation_rate)}
          </span>
          <span className="stat-label">truncated</span>
        </div>
        <div className="stat">
          <span className="stat-value">
            {r.judged} / {r.n_items}
          </span>
          <span className="stat-label">items judged</span>
        </div>
      </div>
      <p className="muted small-text">Token counts: {SOURCE[r.token_source]}.</p>
      <Card title="Accuracy at a token budget">
        <p className="muted small-text">An item whose generation needed more tokens than the budget counts as truncated (wrong).</p>
        {r.curve.length ? <LineChart series={curve} xLabel="token budget" yLabel="share" height={240} /> : <Empty title="No curve" />}
      </Card>
      <div className="grid grid-2">
        <Card title="By reasoning length (tokens)">
          <BucketBars title="Generated tokens" unit="tokens" buckets={r.by_tokens} />
        </Card>
        <Card title="By reasoning length (steps)">
          <BucketBars title="Reasoning steps" unit="steps" buckets={r.by_steps} />
        </Card>
      </div>
    </div>
  );
}
