import type { VisibilityState } from "@tanstack/react-table";
import { useCallback, useState } from "react";
import { Link } from "react-router";
import { jobStatusValues, trainConfigAlgorithmValues, trainConfigBackendValues } from "../../client/schema";
import { FilterHint, FilterInput } from "../../components/ui/FilterInput";
import { PageHeader } from "../../components/ui/Page";
import { Pagination } from "../../components/ui/Pagination";
import { Empty, QueryView } from "../../components/ui/States";
import { useDatasets, useEvalSets } from "../../features/datasets/api";
import { useBackends, useRuns, type RunListParams, type RunRow } from "../../features/runs/api";
import { RunOverlay } from "../../features/runs/components/RunOverlay";
import { COLUMN_LABELS, DEFAULT_HIDDEN, RunsTable } from "../../features/runs/components/RunsTable";
import { intParam, useDebouncedParam, useQueryState } from "../../lib/searchParams";

const PAGE = 25;
const FILTER_KEYS = ["q", "status", "kind", "backend", "algorithm", "dataset", "eval_set", "tag"] as const;
const COLUMNS_KEY = "tunix-rt.runs.columns";
const MAX_PICKED = 10;

function loadSaved(): VisibilityState {
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(COLUMNS_KEY) ?? "null");
    if (saved && typeof saved === "object") return saved as VisibilityState;
  } catch {
    // a bad saved value: start from the defaults
  }
  return {};
}

/** The columns shown: the defaults and the chosen ones, plus the reward column when the page lists an RL run (unless it was hidden by hand). */
function shownColumns(chosen: VisibilityState, rows: RunRow[]): VisibilityState {
  const rl = rows.some((r) => r.config.algorithm === "grpo" || typeof r.metrics?.reward === "number");
  return { ...DEFAULT_HIDDEN, ...(rl ? { reward: true } : {}), ...chosen };
}

/** Every run: search, filters, sort on any metric column, tags, a column chooser, and an overlay of picked runs' curves. */
export function RunsPage() {
  const [params, update] = useQueryState();
  const [q, setQ] = useDebouncedParam(params, update, "q");
  const [chosen, setChosen] = useState<VisibilityState>(loadSaved);
  const [picked, setPicked] = useState<RunRow[]>([]);
  const backends = useBackends();
  const evalSets = useEvalSets();
  const datasets = useDatasets(0, 200);
  const offset = intParam(params.get("offset"), 0);
  const sort = params.get("sort") || "created_at";
  const order = params.get("order") === "asc" ? "asc" : "desc";
  const query: RunListParams = { limit: PAGE, offset, sort, order };
  for (const k of FILTER_KEYS) {
    const v = params.get(k)?.trim();
    if (!v) continue;
    if (k === "tag") query.tag = [v];
    else query[k] = v;
  }
  const runs = useRuns(query);
  const visibility = shownColumns(chosen, runs.data?.data ?? []);
  const filtered = FILTER_KEYS.some((k) => params.get(k));

  const choose = (id: string, shown: boolean) => {
    const next = { ...chosen, [id]: shown };
    setChosen(next);
    localStorage.setItem(COLUMNS_KEY, JSON.stringify(next));
  };
  const pick = (run: RunRow) => setPicked((p) => (p.some((x) => x.id === run.id) ? p.filter((x) => x.id !== run.id) : [...p, run].slice(-MAX_PICKED)));
  const select = (key: string, value: string) => update({ [key]: value || null, offset: null });
  const onTag = useCallback((tag: string) => update({ tag, offset: null }), [update]);
  return (
    <>
      <PageHeader
        title="Runs"
        subtitle="Training, evaluation and other jobs, with their metrics, logs and artifacts."
        actions={
          <Link className="btn btn-primary" to="/runs/new">
            Launch run
          </Link>
        }
      />
      <div className="toolbar" role="search" aria-label="Run filters">
        <label className="grow">
          Search
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Name or id" />
        </label>
        <label>
          Status
          <select value={params.get("status") ?? ""} onChange={(e) => select("status", e.target.value)}>
            <option value="">any</option>
            {jobStatusValues.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Kind
          <select value={params.get("kind") ?? ""} onChange={(e) => select("kind", e.target.value)}>
            <option value="">any</option>
            {[...new Set([...(backends.data?.job_kinds ?? []), ...(params.get("kind") ? [params.get("kind")!] : [])])].map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          Backend
          <select value={params.get("backend") ?? ""} onChange={(e) => select("backend", e.target.value)}>
            <option value="">any</option>
            {trainConfigBackendValues.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <label>
          Algorithm
          <select value={params.get("algorithm") ?? ""} onChange={(e) => select("algorithm", e.target.value)}>
            <option value="">any</option>
            {trainConfigAlgorithmValues.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <FilterInput params={params} update={update} name="dataset" label="Dataset" list="run-datasets" />
        <datalist id="run-datasets">
          {datasets.data?.data.map((d) => (
            <option key={d.key} value={d.key} />
          ))}
        </datalist>
        <label>
          Eval set
          <select value={params.get("eval_set") ?? ""} onChange={(e) => select("eval_set", e.target.value)}>
            <option value="">any</option>
            {evalSets.data?.data.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <FilterInput params={params} update={update} name="tag" label="Tag" size={9} />
        <FilterHint />
      </div>
      <div className="table-tools">
        <details className="col-chooser">
          <summary className="btn">Columns</summary>
          <fieldset className="col-chooser-menu" aria-label="Columns">
            {Object.entries(COLUMN_LABELS).map(([id, label]) => (
              <label key={id} className="check">
                <input type="checkbox" checked={visibility[id] !== false} onChange={(e) => choose(id, e.target.checked)} />
                {label}
              </label>
            ))}
          </fieldset>
        </details>
      </div>
      {picked.length ? (
        <div className="section-tight">
          <RunOverlay runs={picked} onClear={() => setPicked([])} />
        </div>
      ) : null}
      <QueryView
        query={runs}
        errorTitle="Could not list runs"
        empty={
          <Empty title={filtered ? "No run matches these filters" : "No runs yet"}>
            <Link to="/runs/new">Launch one</Link> from a dataset.
          </Empty>
        }
      >
        {(page) => (
          <>
            <p className="muted small-text">Tick runs to overlay their curves (up to {MAX_PICKED}); a column header sorts by it.</p>
            <RunsTable
              runs={page.data}
              sort={sort}
              order={order}
              onSort={(s, o) => update({ sort: s === "created_at" ? null : s, order: o === "desc" ? null : o, offset: null })}
              picked={picked.map((p) => p.id)}
              onPick={pick}
              visibility={visibility}
              onTag={onTag}
            />
            <Pagination page={page.pagination} shown={page.data.length} onChange={(o) => update({ offset: o || null })} />
          </>
        )}
      </QueryView>
    </>
  );
}
