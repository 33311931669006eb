import { Link } from "react-router";
import { jobStatusValues } from "../../client/schema";
import { PageHeader } from "../../components/ui/Page";
import { Pagination } from "../../components/ui/Pagination";
import { Empty, ErrorBox, Loading } from "../../components/ui/States";
import { useRuns } from "../../features/runs/api";
import { RunTable } from "../../features/runs/components/RunTable";
import { intParam, useQueryState } from "../../lib/searchParams";

const PAGE = 25;
const STATUSES = ["", ...jobStatusValues];

/** Every run, newest first, filtered by status and kind. */
export function RunsPage() {
  const [params, update] = useQueryState();
  const offset = intParam(params.get("offset"), 0);
  const status = params.get("status") ?? "";
  const kind = params.get("kind") ?? "";
  const runs = useRuns({ limit: PAGE, offset, status: status || undefined, kind: kind || undefined });
  return (
    <>
      <PageHeader
        title="Runs"
        subtitle="Training, evaluation and other jobs, with their logs and artifacts."
        actions={
          <Link className="btn btn-primary" to="/runs/new">
            Launch run
          </Link>
        }
      />
      <div className="toolbar">
        <label>
          Status
          <select value={status} onChange={(e) => update({ status: e.target.value, offset: null })}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || "any"}
              </option>
            ))}
          </select>
        </label>
        <label>
          Kind
          <input defaultValue={kind} onBlur={(e) => update({ kind: e.target.value.trim(), offset: null })} onKeyDown={(e) => e.key === "Enter" && update({ kind: e.currentTarget.value.trim(), offset: null })} size={12} />
        </label>
      </div>
      {runs.isPending ? <Loading /> : null}
      {runs.isError ? <ErrorBox error={runs.error} title="Could not list runs" /> : null}
      {runs.data && runs.data.data.length === 0 ? (
        <Empty title={status || kind ? "No run matches these filters" : "No runs yet"}>
          <Link to="/runs/new">Launch one</Link> from a dataset.
        </Empty>
      ) : null}
      {runs.data && runs.data.data.length > 0 ? (
        <>
          <RunTable runs={runs.data.data} />
          <Pagination offset={offset} limit={PAGE} nextOffset={runs.data.pagination.next_offset} shown={runs.data.data.length} onChange={(o) => update({ offset: o || null })} />
        </>
      ) : null}
    </>
  );
}
