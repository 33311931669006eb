import { Link, useParams } from "react-router";
import "../../components/ui/insights.css";
import { Card, PageHeader } from "../../components/ui/Page";
import { QueryView } from "../../components/ui/States";
import { ScoreCI } from "../../features/leaderboard/components/ScoreCI";
import { useVersion, versionDownloadUrl } from "../../features/registry/api";
import { readProvenance } from "../../features/registry/provenance";
import { formatBytes } from "../../features/runs/components/ArtifactsTable";
import { formatTime, shortId } from "../../lib/format";

/** One registered version: its content hashes, where it came from (run, dataset, evaluation), and a download. */
export function ModelVersionPage() {
  const { id = "" } = useParams();
  const version = useVersion(id);
  return (
    <QueryView query={version} errorTitle="Could not load the version">
      {(d) => {
        const v = d;
        const p = readProvenance(v);
        return (
          <>
            <PageHeader
              title={`Version ${v.label}`}
              subtitle={
                <span className="header-meta">
                  #{v.number}
                  {(v.aliases ?? []).map((a) => (
                    <span key={a} className="tag">
                      {a}
                    </span>
                  ))}
                </span>
              }
              actions={
                <a className="btn btn-primary" href={versionDownloadUrl(v.id)} download>
                  Download ({formatBytes(v.size_bytes)})
                </a>
              }
            />
            <div className="grid grid-2">
              <Card title="Provenance">
                <dl className="kv provenance-kv" data-testid="provenance">
                  <dt>Run</dt>
                  <dd>{p.runId ? <Link to={`/runs/${p.runId}`}>{p.runName ?? shortId(p.runId)}</Link> : "—"}</dd>
                  <dt>Dataset</dt>
                  <dd className="mono">{p.datasetKey ?? "—"}</dd>
                  <dt>Dataset sha256</dt>
                  <dd className="mono small-text">{p.datasetSha256 ?? "—"}</dd>
                  <dt>Evaluation</dt>
                  <dd>
                    {p.evaluation ? (
                      <div>
                        <ScoreCI score={p.evaluation.score} ci={p.evaluation.ci95} />
                        <div className="muted small-text">
                          {p.evaluation.judge} on <span className="mono">{p.evaluation.evalSet}</span>
                          {p.evaluation.nItems !== null ? `, ${p.evaluation.nItems} items` : ""}
                        </div>
                      </div>
                    ) : (
                      <span className="muted">not evaluated when promoted</span>
                    )}
                  </dd>
                  <dt>Code version</dt>
                  <dd className="mono">{p.codeVersion ?? "—"}</dd>
                  <dt>Promoted</dt>
                  <dd>{formatTime(v.created_at)}</dd>
                </dl>
              </Card>
              <Card title="Content">
                <dl className="kv provenance-kv">
                  <dt>Content sha256</dt>
                  <dd className="mono small-text">{v.sha256}</dd>
                  <dt>Archive sha256</dt>
                  <dd className="mono small-text">{v.archive_sha256}</dd>
                  <dt>Files</dt>
                  <dd>{v.file_count}</dd>
                  <dt>Size</dt>
                  <dd>{formatBytes(v.size_bytes)}</dd>
                  {p.libraries.map(([lib, ver]) => (
                    <div key={lib} style={{ display: "contents" }}>
                      <dt className="mono">{lib}</dt>
                      <dd className="mono">{ver}</dd>
                    </div>
                  ))}
                </dl>
              </Card>
              {p.config ? (
                <Card title="Training config">
                  <pre className="mono block small">{JSON.stringify(p.config, null, 2)}</pre>
                </Card>
              ) : null}
            </div>
          </>
        );
      }}
    </QueryView>
  );
}
