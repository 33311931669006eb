import { Link } from "react-router";
import { Empty } from "../../../components/ui/States";
import { formatNumber, formatTime, shortId } from "../../../lib/format";
import { RunStatus } from "../../runs/components/RunStatus";
import type { Trial } from "../api";
import { rankTrials } from "../rank";

function paramText(v: unknown): string {
  if (typeof v === "number") return formatNumber(v, 4);
  return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * A sweep's trials ranked on its metric (`mode` min or max; unscored trials last): rank, sampling
 * order, sampled params as columns, the metric, and the best trial highlighted.
 */
export function TrialTable({ trials, paramKeys, metric, bestId, mode = "min" }: { trials: Trial[]; paramKeys: string[]; metric: string; bestId: string | null; mode?: string }) {
  if (!trials.length) return <Empty title="No trials yet">Trials appear here as Ray Tune samples them.</Empty>;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th className="num">Rank</th>
            <th className="num">#</th>
            <th>Status</th>
            {paramKeys.map((k) => (
              <th key={k} className="num mono">
                {k}
              </th>
            ))}
            <th className="num">{metric}</th>
            <th>Run</th>
            <th>Finished</th>
          </tr>
        </thead>
        <tbody>
          {rankTrials(trials, mode).map(({ trial: t, number, rank }) => {
            const best = t.id === bestId;
            return (
              <tr key={t.id} className={best ? "row-best" : undefined} data-testid="trial-row" aria-current={best ? "true" : undefined}>
                <td className="num" data-testid="trial-rank">
                  {rank ?? "—"}
                </td>
                <td className="num">{number}</td>
                <td className="nowrap">
                  <RunStatus status={t.status} />
                  {best ? <span className="badge badge-ok best-mark">best</span> : null}
                  {t.error ? <div className="small-text muted" title={t.error}>{t.error.slice(0, 80)}</div> : null}
                </td>
                {paramKeys.map((k) => (
                  <td key={k} className="num mono">
                    {k in t.params ? paramText(t.params[k]) : "—"}
                  </td>
                ))}
                <td className="num mono" data-testid="trial-metric">{formatNumber(t.metric_value, 4)}</td>
                <td className="mono">{t.run_id ? <Link to={`/runs/${t.run_id}`}>{shortId(t.run_id)}</Link> : "—"}</td>
                <td className="muted nowrap">{formatTime(t.finished_at)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
