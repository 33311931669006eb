import { useNavigate, useSearchParams } from "react-router";
import { Card, PageHeader } from "../../components/ui/Page";
import { ErrorBox } from "../../components/ui/States";
import { isDryRun, useLaunchRun } from "../../features/runs/api";
import { LaunchForm } from "../../features/runs/components/LaunchForm";

/** Launch a training run (or validate one with a dry run). */
export function RunNewPage() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const launch = useLaunchRun();
  const report = launch.data && isDryRun(launch.data) ? launch.data : null;
  return (
    <>
      <PageHeader title="Launch a run" subtitle="Supervised fine-tuning on a dataset; the worker runs it in its own process." />
      <Card>
        <LaunchForm
          busy={launch.isPending}
          initialDataset={params.get("dataset") ?? ""}
          onSubmit={(body, mode) =>
            launch.mutate({ body, mode }, { onSuccess: (r) => (isDryRun(r) ? undefined : navigate(`/runs/${r.id}`)) })
          }
        />
        {launch.isError ? <ErrorBox error={launch.error} title="The run was refused" /> : null}
        {report ? (
          <div className="state state-ok" role="status" data-testid="dry-run">
            <strong>Dry run passed</strong>
            <ul>
              {report.checks.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
          </div>
        ) : null}
      </Card>
    </>
  );
}
