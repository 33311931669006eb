import { Link } from "react-router";
import { Card, PageHeader } from "../components/ui/Page";
import { Empty, ErrorBox, Loading } from "../components/ui/States";
import { useDatasets } from "../features/datasets/api";
import { useHealth } from "../features/health/api";
import { useBackends, useRuns } from "../features/runs/api";
import { RunTable } from "../features/runs/components/RunTable";
import { useTraces } from "../features/traces/api";

function StatusDot({ ok }: { ok: boolean }) {
  return <span className={`dot ${ok ? "dot-ok" : "dot-bad"}`} aria-hidden="true" />;
}

/** A count that is exact below the page size and "N+" above it (list endpoints give no totals). */
function Stat({ label, to, state }: { label: string; to: string; state: { isPending: boolean; isError: boolean; data?: { data: unknown[]; pagination: { next_offset?: number | null } } } }) {
  const n = state.data?.data.length ?? 0;
  const more = state.data?.pagination.next_offset != null;
  return (
    <Card>
      <Link className="stat stat-link" to={to}>
        <span className="stat-value">{state.isPending ? "…" : state.isError ? "!" : `${n}${more ? "+" : ""}`}</span>
        <span className="stat-label">{label}</span>
      </Link>
    </Card>
  );
}

/** Health of the service, what it holds and the latest runs. */
export function OverviewPage() {
  const health = useHealth();
  const backends = useBackends();
  const traces = useTraces({ limit: 100 });
  const datasets = useDatasets(0, 100);
  const runs = useRuns({ limit: 8 });
  return (
    <>
      <PageHeader title="Overview" subtitle="Health of the service, what it holds and the latest runs." />
      <div className="stack">
        <div className="grid grid-3">
          <Stat label="traces" to="/traces" state={traces} />
          <Stat label="datasets" to="/datasets" state={datasets} />
          <Stat label="recent runs" to="/runs" state={runs} />
        </div>
        <div className="grid grid-main-side">
          <Card title="Recent runs" actions={<Link to="/runs/new">Launch run</Link>}>
            {runs.isPending ? <Loading /> : null}
            {runs.isError ? <ErrorBox error={runs.error} title="Could not list runs" /> : null}
            {runs.data && runs.data.data.length === 0 ? (
              <Empty title="No runs yet">
                <Link to="/datasets/build">Build a dataset</Link>, then launch a run.
              </Empty>
            ) : null}
            {runs.data && runs.data.data.length > 0 ? <RunTable runs={runs.data.data} compact /> : null}
          </Card>
          <div className="stack">
            <Card title="Health">
              {health.isPending ? <Loading /> : null}
              {health.isError ? <ErrorBox error={health.error} title="API unreachable" /> : null}
              {health.data ? (
                <dl className="kv" data-testid="health">
                  <dt>API</dt>
                  <dd>
                    <StatusDot ok={health.data.status === "healthy"} />
                    {health.data.status}
                  </dd>
                  <dt>Database</dt>
                  <dd>
                    <StatusDot ok={health.data.database === "ok"} />
                    {health.data.database}
                  </dd>
                  <dt>Version</dt>
                  <dd className="mono">{health.data.version}</dd>
                </dl>
              ) : null}
            </Card>
            <Card title="Training backends">
              {backends.isPending ? <Loading /> : null}
              {backends.isError ? <ErrorBox error={backends.error} /> : null}
              {backends.data ? (
                <dl className="kv" data-testid="backends">
                  {backends.data.backends.map((b) => (
                    <div key={b.name} className="kv-pair">
                      <dt>{b.name}</dt>
                      <dd title={b.detail}>
                        <StatusDot ok={b.available} />
                        {b.available ? (b.version ?? "available") : "not installed"}
                      </dd>
                    </div>
                  ))}
                </dl>
              ) : null}
            </Card>
          </div>
        </div>
      </div>
    </>
  );
}
