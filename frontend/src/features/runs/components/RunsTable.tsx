import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type SortingState, type VisibilityState } from "@tanstack/react-table";
import { useMemo } from "react";
import { Link } from "react-router";
import { formatNumber, formatTime, shortId } from "../../../lib/format";
import { ScoreCI } from "../../leaderboard/components/ScoreCI";
import type { RunRow } from "../api";
import { RunStatus } from "./RunStatus";
import { formatDuration } from "./RunTable";
import { TagEditor } from "./TagEditor";

const num = (x: number | null | undefined, digits = 4) => <span className="num-text">{formatNumber(x, digits)}</span>;
const metricsOf = (r: RunRow): NonNullable<RunRow["metrics"]> => r.metrics ?? {};

/** Server-side sort keys per column (`?sort=`); a column without one is not sortable. */
export const SORT_KEYS: Record<string, string> = {
  name: "name",
  status: "status",
  final_loss: "final_loss",
  best_loss: "best_loss",
  eval_loss: "eval_loss",
  score: "primary_score",
  reward: "reward",
  created: "created_at",
};

/** Columns shown until the user chooses otherwise. */
export const DEFAULT_HIDDEN: VisibilityState = { backend: false, best_loss: false, reward: false, duration: false };

export const COLUMN_LABELS: Record<string, string> = {
  name: "Run",
  status: "Status",
  kind: "Kind",
  model: "Model",
  dataset: "Dataset",
  backend: "Backend",
  tags: "Tags",
  final_loss: "Final loss",
  best_loss: "Best loss",
  eval_loss: "Eval loss",
  score: "Score (95% CI)",
  reward: "Reward",
  duration: "Duration",
  created: "Created",
};

function columns(onTag: (tag: string) => void): ColumnDef<RunRow>[] {
  return [
    {
      id: "name",
      header: COLUMN_LABELS.name,
      cell: ({ row: { original: r } }) => (
        <>
          <Link to={`/runs/${r.id}`}>{r.name || shortId(r.id)}</Link>
          <div className="mono muted small-text">{shortId(r.id)}</div>
        </>
      ),
    },
    { id: "status", header: COLUMN_LABELS.status, cell: ({ row: { original: r } }) => <RunStatus status={r.status} /> },
    { id: "kind", header: COLUMN_LABELS.kind, cell: ({ row: { original: r } }) => r.kind },
    { id: "model", header: COLUMN_LABELS.model, cell: ({ row: { original: r } }) => <span className="mono">{r.model ?? "—"}</span> },
    { id: "dataset", header: COLUMN_LABELS.dataset, cell: ({ row: { original: r } }) => <span className="mono">{r.dataset_key ?? "—"}</span> },
    { id: "backend", header: COLUMN_LABELS.backend, cell: ({ row: { original: r } }) => r.backend ?? "—" },
    { id: "tags", header: COLUMN_LABELS.tags, cell: ({ row: { original: r } }) => <TagEditor run={r} onFilter={onTag} /> },
    { id: "final_loss", header: COLUMN_LABELS.final_loss, meta: { num: true }, cell: ({ row: { original: r } }) => num(metricsOf(r).final_loss) },
    { id: "best_loss", header: COLUMN_LABELS.best_loss, meta: { num: true }, cell: ({ row: { original: r } }) => num(metricsOf(r).best_loss) },
    { id: "eval_loss", header: COLUMN_LABELS.eval_loss, meta: { num: true }, cell: ({ row: { original: r } }) => num(metricsOf(r).eval_loss) },
    {
      id: "score",
      header: COLUMN_LABELS.score,
      cell: ({ row: { original: r } }) => {
        const m = metricsOf(r);
        if (m.primary_score === null || m.primary_score === undefined) return <span className="muted">—</span>;
        return (
          <>
            <ScoreCI score={m.primary_score} ci={m.ci95} />
            <div className="muted small-text">
              {m.evaluation_id ? <Link to={`/evaluations/${m.evaluation_id}`}>{m.primary_judge ?? "items"}</Link> : m.primary_judge}
            </div>
          </>
        );
      },
    },
    { id: "reward", header: COLUMN_LABELS.reward, meta: { num: true }, cell: ({ row: { original: r } }) => num(metricsOf(r).reward) },
    { id: "duration", header: COLUMN_LABELS.duration, meta: { num: true }, cell: ({ row: { original: r } }) => formatDuration(r.duration_s) },
    { id: "created", header: COLUMN_LABELS.created, cell: ({ row: { original: r } }) => <span className="muted nowrap">{formatTime(r.created_at)}</span> },
  ];
}

/**
 * The runs table (TanStack Table): metric columns, a server-side sort on any sortable column
 * (the header reverses it), rows picked for the overlay chart, and the columns the chooser shows.
 */
export function RunsTable({
  runs,
  sort,
  order,
  onSort,
  picked,
  onPick,
  visibility,
  onTag,
}: {
  runs: RunRow[];
  sort: string;
  order: "asc" | "desc";
  onSort: (sort: string, order: "asc" | "desc") => void;
  picked: string[];
  onPick: (run: RunRow) => void;
  visibility: VisibilityState;
  onTag: (tag: string) => void;
}) {
  // rebuilt with the latest callback (a stale one would write into an old query string)
  const cols = useMemo(() => columns(onTag), [onTag]);
  const sortColumn = Object.entries(SORT_KEYS).find(([, k]) => k === sort)?.[0] ?? "created";
  const sorting: SortingState = [{ id: sortColumn, desc: order === "desc" }];
  // TanStack Table's instance is not memoizable (React Compiler skips this component; nothing here relies on it)
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: runs,
    columns: cols,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => r.id,
    manualSorting: true,
    enableSortingRemoval: false,
    // the server sorts (`?sort=&order=`); the table only shows which column it sorted on
    state: { sorting, columnVisibility: visibility },
  });
  return (
    <div className="table-wrap">
      <table className="runs-table">
        <thead>
          {table.getHeaderGroups().map((g) => (
            <tr key={g.id}>
              <th aria-label="Pick" />
              {g.headers.map((h) => {
                const key = SORT_KEYS[h.column.id];
                const isNum = (h.column.columnDef.meta as { num?: boolean } | undefined)?.num;
                const active = h.column.id === sortColumn;
                return (
                  <th key={h.id} className={isNum ? "num" : undefined} aria-sort={active ? (order === "desc" ? "descending" : "ascending") : undefined}>
                    {key ? (
                      <button
                        type="button"
                        className={`btn btn-ghost th-sort${active ? " th-sort-active" : ""}`}
                        title={`Sort by ${COLUMN_LABELS[h.column.id]}`}
                        onClick={() => onSort(key, active && order === "desc" ? "asc" : "desc")}
                      >
                        {flexRender(h.column.columnDef.header, h.getContext())}
                        <span aria-hidden="true">{active ? (order === "desc" ? " ↓" : " ↑") : " ↕"}</span>
                      </button>
                    ) : (
                      flexRender(h.column.columnDef.header, h.getContext())
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} data-testid="run-row" className={picked.includes(row.id) ? "row-picked" : undefined}>
              <td>
                <input type="checkbox" aria-label={`Pick run ${row.original.name || shortId(row.id)} for the chart`} checked={picked.includes(row.id)} onChange={() => onPick(row.original)} />
              </td>
              {row.getVisibleCells().map((cell) => {
                const isNum = (cell.column.columnDef.meta as { num?: boolean } | undefined)?.num;
                return (
                  <td key={cell.id} className={isNum ? "num" : undefined} data-col={cell.column.id}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
