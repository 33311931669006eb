import { Link, useParams } from "react-router";
import "../../components/ui/insights.css";
import { Card, PageHeader } from "../../components/ui/Page";
import { Empty, ErrorBox, Loading } from "../../components/ui/States";
import { useFamily, useVersions } from "../../features/registry/api";
import { AliasForm } from "../../features/registry/components/AliasForm";
import { PromoteRunForm } from "../../features/registry/components/PromoteRunForm";
import { VersionTable } from "../../features/registry/components/VersionTable";

/** One family: its versions with provenance and evaluation, downloads, aliases, and promoting a run. */
export function ModelFamilyPage() {
  const { name = "" } = useParams();
  const family = useFamily(name);
  const versions = useVersions(name, 0, 200);
  if (family.isPending) return <Loading />;
  if (family.isError) return <ErrorBox error={family.error} title="Could not load the family" />;
  const list = versions.data?.data ?? [];
  return (
    <>
      <PageHeader
        title={family.data.name}
        subtitle={
          <>
            {family.data.description || "Model family"} · use it as <span className="mono">registry://{family.data.name}/champion</span>
          </>
        }
        actions={
          <Link className="btn" to="/registry">
            All families
          </Link>
        }
      />
      <div className="stack">
        <Card title={`Versions (${family.data.version_count ?? 0})`}>
          {versions.isPending ? <Loading /> : null}
          {versions.isError ? <ErrorBox error={versions.error} title="Could not list versions" /> : null}
          {versions.data && list.length === 0 ? <Empty title="No versions yet">Promote a succeeded training run into this family.</Empty> : null}
          {list.length > 0 ? <VersionTable versions={list} /> : null}
        </Card>
        <div className="grid grid-2">
          <Card title="Promote a run">
            <PromoteRunForm family={family.data.name} />
          </Card>
          <Card title="Aliases">
            {list.length ? (
              <AliasForm key={list[0]?.id} family={family.data.name} versions={list} aliases={family.data.aliases ?? {}} />
            ) : (
              <p className="muted">Aliases point at versions: promote one first.</p>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
