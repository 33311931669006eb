import { Link } from "react-router";
import { formatTime, shortId } from "../../../lib/format";
import type { Run } from "../api";
import { RunStatus } from "./RunStatus";

/** A duration in seconds as `1h 2m`, `3m 4s` or `5.2s`. */
export function formatDuration(s: number | null | undefined): string {
  if (s === null || s === undefined) return "—";
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.round(s % 60)}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** Runs with status, model, dataset and timing; `compact` drops the less useful columns. */
export function RunTable({ runs, compact = false }: { runs: Run[]; compact?: boolean }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th>Run</th>
            <th>Status</th>
            <th>Kind</th>
            {compact ? null : <th>Model</th>}
            <th>Dataset</th>
            {compact ? null : <th className="num">Duration</th>}
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} data-testid="run-row">
              <td>
                <Link to={`/runs/${r.id}`}>{r.name || shortId(r.id)}</Link>
                <div className="mono muted small-text">{shortId(r.id)}</div>
              </td>
              <td>
                <RunStatus status={r.status} />
              </td>
              <td>{r.kind}</td>
              {compact ? null : <td className="mono">{r.model ?? "—"}</td>}
              <td className="mono">{r.dataset_key ?? "—"}</td>
              {compact ? null : <td className="num">{formatDuration(r.duration_s)}</td>}
              <td className="muted nowrap">{formatTime(r.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
