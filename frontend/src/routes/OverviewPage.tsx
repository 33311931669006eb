import { Card, PageHeader } from "../components/ui/Page";
import { ErrorBox, Loading } from "../components/ui/States";
import { useHealth } from "../features/health/api";

function StatusDot({ ok }: { ok: boolean }) {
  return <span className={`dot ${ok ? "dot-ok" : "dot-bad"}`} aria-hidden="true" />;
}

/** Health of the service and what it holds. */
export function OverviewPage() {
  const health = useHealth();
  return (
    <>
      <PageHeader title="Overview" subtitle="Health of the service and what it holds." />
      <div className="grid grid-3">
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
      </div>
    </>
  );
}
