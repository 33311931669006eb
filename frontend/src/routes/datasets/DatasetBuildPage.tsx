import { useNavigate } from "react-router";
import { Card, PageHeader } from "../../components/ui/Page";
import { ErrorBox } from "../../components/ui/States";
import { useBuildDataset } from "../../features/datasets/api";
import { BuildForm } from "../../features/datasets/components/BuildForm";

/** Build a dataset version from the stored traces. */
export function DatasetBuildPage() {
  const navigate = useNavigate();
  const build = useBuildDataset();
  return (
    <>
      <PageHeader title="Build a dataset" subtitle="The same spec over the same traces always gives the same hash." />
      <Card>
        <BuildForm busy={build.isPending} onSubmit={(body) => build.mutate(body, { onSuccess: (d) => navigate(`/datasets/${encodeURIComponent(d.key)}`) })} />
        {build.isError ? <ErrorBox error={build.error} title="The build was refused" /> : null}
      </Card>
    </>
  );
}
