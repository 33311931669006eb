import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { FilterHint, FilterInput } from "../../components/ui/FilterInput";
import { PageHeader } from "../../components/ui/Page";
import { Pagination } from "../../components/ui/Pagination";
import { Empty, QueryView } from "../../components/ui/States";
import { useTraces, type TraceListParams } from "../../features/traces/api";
import { TraceTable } from "../../features/traces/components/TraceTable";
import { intParam, useDebouncedParam, useQueryState } from "../../lib/searchParams";

const PAGE = 25;
const FILTERS = ["source", "category", "difficulty", "tag"] as const;

/** All traces: search, filters, pages, and a pick of two to compare. */
export function TracesPage() {
  const [params, update] = useQueryState();
  const navigate = useNavigate();
  const [q, setQ] = useDebouncedParam(params, update, "q");
  const [picked, setPicked] = useState<string[]>([]);
  const offset = intParam(params.get("offset"), 0);
  const query: TraceListParams = { limit: PAGE, offset, q: params.get("q")?.trim() || undefined };
  for (const f of FILTERS) query[f] = params.get(f)?.trim() || undefined;
  const traces = useTraces(query);

  const toggle = (id: string) =>
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p.slice(-1), id]));
  const filtered = Boolean(params.get("q") || FILTERS.some((f) => params.get(f)));

  return (
    <>
      <PageHeader
        title="Traces"
        subtitle="Prompts with ordered reasoning steps and a final answer."
        actions={
          <>
            <button
              type="button"
              className="btn"
              disabled={picked.length !== 2}
              onClick={() => navigate(`/traces/compare?base=${picked[0]}&other=${picked[1]}`)}
            >
              Compare {picked.length}/2
            </button>
            <Link className="btn" to="/traces/generate">
              Generate
            </Link>
            <Link className="btn" to="/traces/import">
              Upload JSONL
            </Link>
            <Link className="btn btn-primary" to="/traces/new">
              New trace
            </Link>
          </>
        }
      />
      <div className="toolbar" role="search">
        <label className="grow">
          Search
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Text in prompt or answer" />
        </label>
        {FILTERS.map((f) => (
          <FilterInput key={f} params={params} update={update} name={f} label={f[0]!.toUpperCase() + f.slice(1)} />
        ))}
        <FilterHint />
      </div>
      <QueryView
        query={traces}
        errorTitle="Could not list traces"
        empty={
          <Empty title={filtered ? "No trace matches these filters" : "No traces yet"}>
            {filtered ? null : (
              <>
                <Link to="/traces/generate">Generate some</Link>, <Link to="/traces/import">upload a JSONL file</Link> or{" "}
                <Link to="/traces/new">write one</Link>.
              </>
            )}
          </Empty>
        }
      >
        {(page) => (
          <>
            <TraceTable traces={page.data} picked={picked} onPick={toggle} onFilter={(key, value) => update({ [key]: value, offset: null })} />
            <Pagination page={page.pagination} shown={page.data.length} onChange={(o) => update({ offset: o || null })} />
          </>
        )}
      </QueryView>
    </>
  );
}
