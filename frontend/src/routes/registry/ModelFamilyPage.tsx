import { Link, useParams } from "react-router";
import "../../components/ui/insights.css";
import { Card, PageHeader } from "../../components/ui/Page";
import { Empty, QueryView } from "../../components/ui/States";
import { useFamily, useVersions } from "../../features/registry/api";
import { AliasForm } from "../../features/registry/components/AliasForm";
import { PromoteRunForm } from "../../features/registry/components/PromoteRunForm";
import { VersionTable } from "../../features/registry/components/VersionTable";

/** One family: its versions with provenance and evaluation, downloads, aliases, and promoting a run. */
export function ModelFamilyPage() {
  const { name = "" } = useParams();
  const family = useFamily(name);
  const versions = useVersions(name, 0, 200);
  return (
    <QueryView query={family} errorTitle="Could not load the family">
      {(d) => {
        const list = versions.data?.data ?? [];
        return (
          <>
            <PageHeader
              title={d.name}
              subtitle={
                <>
                  {d.description || "Model family"} · use it as <span className="mono">registry://{d.name}/champion</span>
                </>
              }
              actions={
                <Link className="btn" to="/registry">
                  All families
                </Link>
              }
            />
            <div className="stack">
              <Card title={`Versions (${d.version_count ?? 0})`}>
                <QueryView query={versions} errorTitle="Could not list versions" empty={<Empty title="No versions yet">Promote a succeeded training run into this family.</Empty>}>
                  {(page) => <VersionTable versions={page.data} />}
                </QueryView>
              </Card>
              <div className="grid grid-2">
                <Card title="Promote a run">
                  <PromoteRunForm family={d.name} />
                </Card>
                <Card title="Aliases">
                  {list.length ? (
                    <AliasForm key={list[0]?.id} family={d.name} versions={list} aliases={d.aliases ?? {}} />
                  ) : (
                    <p className="muted">Aliases point at versions: promote one first.</p>
                  )}
                </Card>
              </div>
            </div>
          </>
        );
      }}
    </QueryView>
  );
}
