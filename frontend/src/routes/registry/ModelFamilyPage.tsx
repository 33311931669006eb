import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { Card, PageHeader } from "../../components/ui/Page";
import { Empty, ErrorBox, Loading } from "../../components/ui/States";
import { usePromoteRun, useFamily, useVersions, versionDownloadUrl } from "../../features/registry/api";
import { formatBytes } from "../../features/runs/components/ArtifactsTable";
import { formatTime, shortId } from "../../lib/format";

/** One family: its versions with provenance and downloads; promote a run into it. */
export function ModelFamilyPage() {
  const { name = "" } = useParams();
  const family = useFamily(name);
  const versions = useVersions(name);
  const promote = usePromoteRun(name);
  const [runId, setRunId] = useState("");
  const [aliases, setAliases] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const list = aliases.split(",").map((a) => a.trim()).filter(Boolean);
    promote.mutate({ run_id: runId.trim(), aliases: list });
  };
  if (family.isPending) return <Loading />;
  if (family.isError) return <ErrorBox error={family.error} title="Could not load the family" />;
  return (
    <>
      <PageHeader title={family.data.name} subtitle={family.data.description || "Model family"} />
      <div className="grid grid-main-side">
        <Card title="Versions">
          {versions.isPending ? <Loading /> : null}
          {versions.isError ? <ErrorBox error={versions.error} /> : null}
          {versions.data && versions.data.data.length === 0 ? <Empty title="No versions yet">Promote a succeeded run.</Empty> : null}
          {versions.data && versions.data.data.length > 0 ? (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>#</th>
                    <th>Label</th>
                    <th>Aliases</th>
                    <th>Run</th>
                    <th>Provenance</th>
                    <th className="num">Size</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {versions.data.data.map((v) => (
                    <tr key={v.id} data-testid="version-row">
                      <td className="num">{v.number}</td>
                      <td className="mono">
                        {v.label}
                        <div className="muted small-text" title={v.sha256}>
                          {v.sha256.slice(0, 12)} · {formatTime(v.created_at)}
                        </div>
                      </td>
                      <td>
                        {(v.aliases ?? []).map((a) => (
                          <span key={a} className="tag">
                            {a}
                          </span>
                        ))}
                      </td>
                      <td className="mono">{v.run_id ? <Link to={`/runs/${v.run_id}`}>{shortId(v.run_id)}</Link> : "—"}</td>
                      <td>
                        <pre className="mono small-text provenance">{JSON.stringify(v.provenance, null, 1)}</pre>
                      </td>
                      <td className="num">{formatBytes(v.size_bytes)}</td>
                      <td>
                        <a className="btn" href={versionDownloadUrl(v.id)} download>
                          Download
                        </a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </Card>
        <Card title="Promote a run">
          <form className="form" onSubmit={submit} aria-label="Promote a run">
            <label>
              Run id (a succeeded training run)
              <input className="mono" value={runId} onChange={(e) => setRunId(e.target.value)} required />
            </label>
            <label>
              Aliases (comma-separated)
              <input value={aliases} onChange={(e) => setAliases(e.target.value)} placeholder="candidate" />
            </label>
            <div>
              <button type="submit" className="btn btn-primary" disabled={promote.isPending}>
                Promote
              </button>
            </div>
          </form>
          {promote.isError ? <ErrorBox error={promote.error} title="Promotion refused" /> : null}
          {promote.data ? (
            <div className="state state-ok" role="status">
              {promote.data.created ? "Registered" : "Already registered as"} version #{promote.data.version.number} ({promote.data.version.label}).
            </div>
          ) : null}
        </Card>
      </div>
    </>
  );
}
