import { Link } from "react-router";
import { formatNumber, formatTime, shortId } from "../../../lib/format";
import type { LeaderboardRow } from "../api";
import { ScoreCI } from "./ScoreCI";

/** Leaderboard rows: rank, run, the sorted-by judge's score with its CI, the other judges, and context. */
export function LeaderboardTable({
  rows,
  offset,
  picked,
  onPick,
  sortLabel,
  order,
  onToggleOrder,
  budget,
  sortedByBudget = false,
}: {
  rows: LeaderboardRow[];
  offset: number;
  picked: string[];
  onPick: (row: LeaderboardRow) => void;
  sortLabel: string;
  order: "asc" | "desc";
  onToggleOrder: () => void;
  /** the rows are ordered by `budget_accuracy` (the arrow goes on that column) */
  sortedByBudget?: boolean;
  /** the token budget the rows' `budget_accuracy` was measured at, if one is chosen */
  budget?: number;
}) {
  const orderButton = (label: string) => (
    <button type="button" className="btn btn-ghost small-text" onClick={onToggleOrder} title="Reverse the order">
      {label} {order === "desc" ? "↓" : "↑"}
    </button>
  );
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th aria-label="Pick" />
            <th className="num">#</th>
            <th>Run</th>
            {sortedByBudget ? (
              <th>Primary score</th>
            ) : (
              <th aria-sort={order === "desc" ? "descending" : "ascending"}>{orderButton(sortLabel)}</th>
            )}
            {budget !== undefined ? (
              <th className="num" aria-sort={sortedByBudget ? (order === "desc" ? "descending" : "ascending") : undefined}>
                {sortedByBudget ? orderButton(`Accuracy at ${budget.toLocaleString()} tokens`) : `Accuracy at ${budget.toLocaleString()} tokens`}
              </th>
            ) : null}
            <th>Other judges</th>
            <th>Eval set</th>
            <th>Dataset</th>
            <th>Model</th>
            <th className="num">Items</th>
            <th>Evaluated</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, n) => (
            <tr key={r.evaluation_id} data-testid="leaderboard-row">
              <td>
                <input
                  type="checkbox"
                  aria-label={`Pick run ${r.run_name || shortId(r.run_id)} to compare`}
                  checked={picked.includes(r.evaluation_id)}
                  onChange={() => onPick(r)}
                />
              </td>
              <td className="num">{offset + n + 1}</td>
              <td>
                <Link to={`/runs/${r.run_id}`}>{r.run_name || shortId(r.run_id)}</Link>
                <div className="mono muted small-text">
                  {shortId(r.run_id)} · <Link to={`/evaluations/${r.evaluation_id}`}>items</Link>
                </div>
              </td>
              <td data-testid="leaderboard-score">
                <ScoreCI score={r.score} ci={r.ci95} />
                <div className="muted small-text">{r.judge}</div>
              </td>
              {budget !== undefined ? (
                <td className="num" data-testid="budget-accuracy">
                  {r.budget_accuracy === null || r.budget_accuracy === undefined ? "—" : formatNumber(r.budget_accuracy, 3)}
                </td>
              ) : null}
              <td className="small-text">
                {Object.entries(r.scores)
                  .filter(([judge]) => judge !== r.judge)
                  .map(([judge, s]) => (
                    <div key={judge} className="nowrap">
                      <span className="muted">{judge}</span> {formatNumber(s.score, 3)}
                    </div>
                  ))}
              </td>
              <td className="mono">{r.eval_set}</td>
              <td className="mono">{r.dataset_key ?? "—"}</td>
              <td className="mono">{r.model ?? "—"}</td>
              <td className="num">{r.n_items ?? "—"}</td>
              <td className="muted nowrap">{formatTime(r.finished_at ?? r.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
