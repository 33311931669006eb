import { Link } from "react-router";
import { Card, PageHeader } from "../components/ui/Page";
import type { PageInfo } from "../components/ui/Pagination";
import { Empty, QueryView } from "../components/ui/States";
import { useDatasets } from "../features/datasets/api";
import { useHealth } from "../features/health/api";
import { useBackends, useRuns } from "../features/runs/api";
import { RunTable } from "../features/runs/components/RunTable";
import { useTraces } from "../features/traces/api";

function StatusDot({ ok }: { ok: boolean }) {
  return <span className={`dot ${ok ? "dot-ok" : "dot-bad"}`} aria-hidden="true" />;
}

/** A list's real total (`pagination.total`); "N+" only where the API cannot count. */
function Stat({ label, to, state }: { label: string; to: string; state: { isPending: boolean; isError: boolean; data?: { data: unknown[]; pagination: PageInfo } } }) {
  const total = state.data?.pagination.total;
  const n = typeof total === "number" ? total : (state.data?.data.length ?? 0);
  const more = typeof total !== "number" && state.data?.pagination.next_offset != null;
  return (
    <Card>
      <Link className="stat stat-link" to={to}>
        <span className="stat-value" data-testid={`stat-${label}`}>
          {state.isPending ? "…" : state.isError ? "!" : `${n.toLocaleString()}${more ? "+" : ""}`}
        </span>
        <span className="stat-label">{label}</span>
      </Link>
    </Card>
  );
}

/** Health of the service, what it holds and the latest runs. */
export function OverviewPage() {
  const health = useHealth();
  const backends = useBackends();
  const traces = useTraces({ limit: 1 });
  const datasets = useDatasets(0, 1);
  const runs = useRuns({ limit: 8 });
  return (
    <>
      <PageHeader title="Overview" subtitle="Health of the service, what it holds and the latest runs." />
      <div className="stack">
        <div className="grid grid-3">
          <Stat label="traces" to="/traces" state={traces} />
          <Stat label="datasets" to="/datasets" state={datasets} />
          <Stat label="runs" to="/runs" state={runs} />
        </div>
        <div className="grid grid-main-side">
          <Card title="Recent runs" actions={<Link to="/runs/new">Launch run</Link>}>
            <QueryView
              query={runs}
              errorTitle="Could not list runs"
              empty={
                <Empty title="No runs yet">
                  <Link to="/datasets/build">Build a dataset</Link>, then launch a run.
                </Empty>
              }
            >
              {(page) => <RunTable runs={page.data} compact />}
            </QueryView>
          </Card>
          <div className="stack">
            <Card title="Health">
              <QueryView query={health} errorTitle="API unreachable">
                {(page) => (
                  <dl className="kv" data-testid="health">
                    <dt>API</dt>
                    <dd>
                      <StatusDot ok={page.status === "healthy"} />
                      {page.status}
                    </dd>
                    <dt>Database</dt>
                    <dd>
                      <StatusDot ok={page.database === "ok"} />
                      {page.database}
                    </dd>
                    <dt>Version</dt>
                    <dd className="mono">{page.version}</dd>
                  </dl>
                )}
              </QueryView>
            </Card>
            <Card title="Training backends">
              <QueryView query={backends}>
                {(data) => (
                  <dl className="kv" data-testid="backends">
                    {data.backends.map((b) => (
                      <div key={b.name} className="kv-pair">
                        <dt>{b.name}</dt>
                        <dd title={b.detail}>
                          <StatusDot ok={b.available} />
                          {b.available ? (b.version ?? "available") : "not installed"}
                        </dd>
                      </div>
                    ))}
                  </dl>
                )}
              </QueryView>
            </Card>
          </div>
        </div>
      </div>
    </>
  );
}
