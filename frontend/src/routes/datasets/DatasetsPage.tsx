import { Link } from "react-router";
import { Card, PageHeader } from "../../components/ui/Page";
import { Pagination } from "../../components/ui/Pagination";
import { Empty, QueryView } from "../../components/ui/States";
import { useDatasets, useEvalSets } from "../../features/datasets/api";
import { formatTime } from "../../lib/format";
import { intParam, useQueryState } from "../../lib/searchParams";

const PAGE = 25;

/** Immutable dataset versions and the registered eval sets. */
export function DatasetsPage() {
  const [params, update] = useQueryState();
  const offset = intParam(params.get("offset"), 0);
  const datasets = useDatasets(offset, PAGE);
  const evalSets = useEvalSets();
  return (
    <>
      <PageHeader
        title="Datasets"
        subtitle="Immutable, hashed selections of traces with a train/eval split."
        actions={
          <Link className="btn btn-primary" to="/datasets/build">
            Build dataset
          </Link>
        }
      />
      <div className="stack">
        <QueryView
          query={datasets}
          errorTitle="Could not list datasets"
          empty={
            <Empty title="No datasets yet">
              <Link to="/datasets/build">Build one</Link> from the traces.
            </Empty>
          }
        >
          {(page) => (
            <div>
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Key</th>
                      <th className="num">Records</th>
                      <th className="num">Train</th>
                      <th className="num">Eval</th>
                      <th>Strategy</th>
                      <th>Hash</th>
                      <th>Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.data.map((d) => (
                      <tr key={d.key} data-testid="dataset-row">
                        <td className="mono">
                          <Link to={`/datasets/${encodeURIComponent(d.key)}`}>{d.key}</Link>
                        </td>
                        <td className="num">{d.record_count}</td>
                        <td className="num">{d.train_count}</td>
                        <td className="num">{d.eval_count}</td>
                        <td>
                          {d.strategy}
                          {d.seed !== null ? <span className="muted"> · seed {d.seed}</span> : null}
                        </td>
                        <td className="mono muted" title={d.content_hash}>
                          {d.content_hash.slice(0, 12)}
                        </td>
                        <td className="muted nowrap">{formatTime(d.created_at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pagination page={page.pagination} shown={page.data.length} onChange={(o) => update({ offset: o || null })} />
            </div>
          )}
        </QueryView>
        <Card title="Eval sets">
          <QueryView query={evalSets} empty={<Empty title="No eval sets registered">Register one with `tunix-rt evalsets register` or POST /api/evalsets.</Empty>}>
            {(page) => (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Name</th>
                      <th className="num">Items</th>
                      <th>Description</th>
                      <th>Hash</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.data.map((s) => (
                      <tr key={s.name}>
                        <td className="mono">{s.name}</td>
                        <td className="num">{s.item_count}</td>
                        <td>{s.description}</td>
                        <td className="mono muted">{s.content_hash.slice(0, 12)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </QueryView>
        </Card>
      </div>
    </>
  );
}
