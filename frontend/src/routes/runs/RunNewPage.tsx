import { useNavigate, useSearchParams } from "react-router";
import { Link } from "react-router";
import { ApiError } from "../../client/http";
import { Card, PageHeader } from "../../components/ui/Page";
import { ErrorBox, QueryView } from "../../components/ui/States";
import { isDryRun, useLaunchRun, useRun } from "../../features/runs/api";
import { LaunchForm } from "../../features/runs/components/LaunchForm";
import { draftFromConfig } from "../../features/runs/launch";
import { shortId } from "../../lib/format";

/** Launch a training run, SFT or GRPO (or validate one with a dry run); `?clone=ID` starts from that run's config. */
export function RunNewPage() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const cloneId = params.get("clone") ?? "";
  const source = useRun(cloneId);
  const launch = useLaunchRun();
  const report = launch.data && isDryRun(launch.data) ? launch.data : null;
  const form = (initial?: Parameters<typeof LaunchForm>[0]["initial"]) => (
    <LaunchForm
      key={cloneId}
      busy={launch.isPending}
      initial={initial}
      initialDataset={params.get("dataset") ?? ""}
      serverProblems={launch.error instanceof ApiError ? launch.error.problems : []}
      onSubmit={(body, mode) => launch.mutate({ body, mode }, { onSuccess: (r) => (isDryRun(r) ? undefined : navigate(`/runs/${r.id}`)) })}
    />
  );
  return (
    <>
      <PageHeader
        title="Launch a run"
        subtitle={
          cloneId ? (
            <>
              A copy of run <Link to={`/runs/${cloneId}`}>{source.data?.name || shortId(cloneId)}</Link>: change what differs, then launch.
            </>
          ) : (
            "Supervised fine-tuning (SFT) or reinforcement learning against the judges (GRPO) on a dataset; the worker runs it in its own process."
          )
        }
      />
      <Card>
        {cloneId ? (
          <QueryView query={source} errorTitle="Could not load the run to clone">
            {(run) => form(draftFromConfig(run.config as Record<string, unknown>, run.name))}
          </QueryView>
        ) : (
          form()
        )}
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
