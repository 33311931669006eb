import { useMemo, useState } from "react";
import { Link, useNavigate } from "react-router";
import "../../components/ui/insights.css";
import { PageHeader } from "../../components/ui/Page";
import { FilterHint, FilterInput } from "../../components/ui/FilterInput";
import { Pagination } from "../../components/ui/Pagination";
import { Empty, QueryView } from "../../components/ui/States";
import { useLeaderboard, type LeaderboardParams, type LeaderboardRow } from "../../features/leaderboard/api";
import { LeaderboardTable } from "../../features/leaderboard/components/LeaderboardTable";
import { ExternalEvalCard } from "../../features/evaluations/components/ExternalEvalCard";
import { intParam, useQueryState } from "../../lib/searchParams";

const PAGE = 25;
const TEXT_FILTERS = [
  { key: "dataset", label: "Dataset" },
  { key: "model", label: "Model" },
  { key: "eval_set", label: "Eval set" },
  { key: "judge", label: "Judge" },
  { key: "config", label: "Config contains" },
] as const;
const BUILTIN_SORTS: Record<string, string> = { primary: "Primary score", created_at: "Newest", budget: "Accuracy at the budget" };

/** A positive whole number from the URL, or undefined. */
const positiveInt = (v: string | null) => {
  const n = Number(v);
  return v && Number.isInteger(n) && n > 0 ? n : undefined;
};

/** Evaluated runs ranked by a judge's score with its confidence interval; pick two to compare. */
export function LeaderboardPage() {
  const [params, update] = useQueryState();
  const navigate = useNavigate();
  const [picked, setPicked] = useState<LeaderboardRow[]>([]);
  const offset = intParam(params.get("offset"), 0);
  const sort = params.get("sort") || "primary";
  const order = params.get("order") === "asc" ? "asc" : "desc";
  const after = params.get("after") ?? "";
  const query: LeaderboardParams = { limit: PAGE, offset, sort, order, all_evaluations: params.get("all") === "1" };
  for (const f of TEXT_FILTERS) query[f.key] = params.get(f.key)?.trim() || undefined;
  if (after) query.created_after = `${after}T00:00:00Z`;
  const budget = positiveInt(params.get("budget")?.trim() ?? null);
  if (budget !== undefined) query.budget = budget;
  const minAcc = Number(params.get("min_budget_accuracy"));
  if (budget !== undefined && params.get("min_budget_accuracy") && Number.isFinite(minAcc)) query.min_budget_accuracy = minAcc;
  const board = useLeaderboard(query);
  const rows = board.data?.data;
  // the unfiltered first page names the judges too, so a filter that matches nothing keeps them
  const everyone = useLeaderboard({ limit: PAGE, all_evaluations: true });

  // judges come from the data (the API names them on each row), plus whatever the URL sorts or filters by
  const sorts = useMemo(() => {
    const judges = new Set([...(rows ?? []), ...(everyone.data?.data ?? [])].flatMap((r) => Object.keys(r.scores)));
    if (!(sort in BUILTIN_SORTS)) judges.add(sort);
    const judge = params.get("judge")?.trim();
    if (judge) judges.add(judge);
    const builtin = Object.entries(BUILTIN_SORTS).filter(([id]) => id !== "budget" || budget !== undefined || sort === "budget");
    return [...builtin, ...[...judges].sort().map((j) => [j, `Judge: ${j}`] as [string, string])];
  }, [rows, everyone.data, sort, params, budget]);
  const sortLabel = sort === "created_at" ? "Score" : sort === "budget" ? "Primary score" : (BUILTIN_SORTS[sort] ?? sort);
  const filtered = TEXT_FILTERS.some((f) => params.get(f.key)) || Boolean(after) || Boolean(params.get("min_budget_accuracy"));

  const pick = (row: LeaderboardRow) =>
    setPicked((p) => (p.some((x) => x.evaluation_id === row.evaluation_id) ? p.filter((x) => x.evaluation_id !== row.evaluation_id) : [...p.slice(-1), row]));
  const compare = () => {
    const [a, b] = picked;
    if (!a || !b) return;
    const sameSet = a.eval_set === b.eval_set ? `&eval_set=${encodeURIComponent(a.eval_set)}` : "";
    navigate(`/compare?a=${a.run_id}&b=${b.run_id}${sameSet}`);
  };

  return (
    <>
      <PageHeader
        title="Leaderboard"
        subtitle="Evaluated runs, best first; the bracket is the score's 95% bootstrap confidence interval."
        actions={
          <button type="button" className="btn" disabled={picked.length !== 2} onClick={compare}>
            Compare {picked.length}/2
          </button>
        }
      />
      <div className="toolbar" role="search" aria-label="Leaderboard filters">
        {TEXT_FILTERS.map((f) => (
          <FilterInput key={f.key} params={params} update={update} name={f.key} label={f.label} />
        ))}
        <FilterInput params={params} update={update} name="budget" label="Token budget" inputMode="numeric" size={7} placeholder="e.g. 256" />
        {budget !== undefined ? (
          <FilterInput params={params} update={update} name="min_budget_accuracy" label="Min accuracy at budget" inputMode="decimal" size={7} placeholder="0–1" />
        ) : null}
        <label>
          Evaluated since
          <input type="date" value={after} onChange={(e) => update({ after: e.target.value, offset: null })} />
        </label>
        <label>
          Sort by
          <select value={sort} onChange={(e) => update({ sort: e.target.value === "primary" ? null : e.target.value, offset: null })}>
            {sorts.map(([id, label]) => (
              <option key={id} value={id}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Order
          <select value={order} onChange={(e) => update({ order: e.target.value === "desc" ? null : e.target.value, offset: null })}>
            <option value="desc">High to low / newest</option>
            <option value="asc">Low to high / oldest</option>
          </select>
        </label>
        <label>
          Rows
          <select value={params.get("all") === "1" ? "1" : ""} onChange={(e) => update({ all: e.target.value, offset: null })}>
            <option value="">Latest per run</option>
            <option value="1">Every evaluation</option>
          </select>
        </label>
        <FilterHint />
      </div>
      <QueryView
        query={board}
        errorTitle="Could not load the leaderboard"
        empty={
          <Empty title={filtered ? "No evaluation matches these filters" : "No evaluations yet"}>
            {filtered ? null : (
              <>
                Train a run on the <Link to="/runs">Runs</Link> page, then evaluate it on an eval set.
              </>
            )}
          </Empty>
        }
      >
        {(page) => (
          <>
            <LeaderboardTable
              rows={page.data}
              offset={offset}
              picked={picked.map((p) => p.evaluation_id)}
              onPick={pick}
              sortLabel={sortLabel}
              order={order}
              onToggleOrder={() => update({ order: order === "desc" ? "asc" : null, offset: null })}
              budget={budget}
              sortedByBudget={sort === "budget" && budget !== undefined}
            />
            <Pagination page={page.pagination} shown={page.data.length} onChange={(o) => update({ offset: o || null })} />
          </>
        )}
      </QueryView>
      <ExternalEvalCard />
    </>
  );
}
