import { Link } from "react-router";
import { PageHeader } from "../../components/ui/Page";
import { Pagination } from "../../components/ui/Pagination";
import { Empty, QueryView } from "../../components/ui/States";
import { RunStatus } from "../../features/runs/components/RunStatus";
import { useSweeps } from "../../features/tuning/api";
import { formatTime, shortId } from "../../lib/format";
import { intParam, useQueryState } from "../../lib/searchParams";

const PAGE = 25;

/** Every sweep, newest first. */
export function TuningPage() {
  const [params, update] = useQueryState();
  const offset = intParam(params.get("offset"), 0);
  const sweeps = useSweeps(offset, PAGE);
  return (
    <>
      <PageHeader
        title="Tuning"
        subtitle="Hyperparameter sweeps with Ray Tune; every trial is a real training run."
        actions={
          <Link className="btn btn-primary" to="/tuning/new">
            New sweep
          </Link>
        }
      />
      <QueryView
        query={sweeps}
        errorTitle="Could not list sweeps"
        empty={
          <Empty title="No sweeps yet">
            <Link to="/tuning/new">Create one</Link>: pick a dataset, a base model and the hyperparameters to search.
          </Empty>
        }
      >
        {(page) => (
          <>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Sweep</th>
                    <th>Status</th>
                    <th>Dataset</th>
                    <th>Base model</th>
                    <th>Metric</th>
                    <th className="num">Trials</th>
                    <th>Created</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.map((j) => (
                    <tr key={j.id} data-testid="sweep-row">
                      <td>
                        <Link to={`/tuning/${j.id}`}>{j.name}</Link>
                        <div className="mono muted small-text">{shortId(j.id)}</div>
                      </td>
                      <td>
                        <RunStatus status={j.status} />
                      </td>
                      <td className="mono">{j.dataset_key}</td>
                      <td className="mono">{j.base_model}</td>
                      <td>
                        {j.metric} <span className="muted">({j.mode})</span>
                      </td>
                      <td className="num">{j.num_samples}</td>
                      <td className="muted nowrap">{formatTime(j.created_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pagination page={page.pagination} shown={page.data.length} onChange={(o) => update({ offset: o || null })} />
          </>
        )}
      </QueryView>
    </>
  );
}
