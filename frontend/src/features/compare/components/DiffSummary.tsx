import { Link } from "react-router";
import { formatNumber } from "../../../lib/format";
import type { ItemDiff } from "../api";
import { formatPValue } from "../itemDiff";

function Stat({ label, value, testId }: { label: string; value: string | number; testId?: string }) {
  return (
    <div className="stat" data-testid={testId}>
      <span className="stat-value">{value}</span>
      <span className="stat-label">{label}</span>
    </div>
  );
}

/** Scores of A and B on the shared eval set, their difference, and whether it is significant. */
export function DiffSummary({ nameA, nameB, diff }: { nameA: string; nameB: string; diff: ItemDiff }) {
  const significant = diff.p_value < 0.05;
  const delta = diff.delta === null ? "—" : `${diff.delta > 0 ? "+" : ""}${formatNumber(diff.delta, 3)}`;
  return (
    <div className="stack">
      <p className="muted">
        On eval set <span className="mono">{diff.eval_set}</span>, judged by <span className="mono">{diff.judge}</span>, over {diff.shared} shared items
        {diff.skipped ? ` (${diff.skipped} not scored by both)` : ""}.
      </p>
      <div className="stat-grid">
        <Stat label={`A · ${nameA}`} value={formatNumber(diff.score_a, 3)} />
        <Stat label={`B · ${nameB}`} value={formatNumber(diff.score_b, 3)} />
        <Stat label="B − A" value={delta} testId="delta" />
        <Stat label={`p-value (${diff.test})`} value={formatPValue(diff.p_value)} testId="p-value" />
        <Stat label="fixed by B" value={diff.fixed} testId="count-fixed" />
        <Stat label="broken by B" value={diff.broken} testId="count-broken" />
        <Stat label="both right" value={diff.both_right} />
        <Stat label="both wrong" value={diff.both_wrong} />
      </div>
      <div data-testid="significance">
        {significant ? (
          <span className="badge badge-info">significant at 0.05</span>
        ) : (
          <span className="badge badge-muted">not significant at 0.05: the difference may be noise</span>
        )}{" "}
        <Link to={`/leaderboard?eval_set=${encodeURIComponent(diff.eval_set)}`} className="small-text">
          See the leaderboard for this eval set
        </Link>
      </div>
    </div>
  );
}
