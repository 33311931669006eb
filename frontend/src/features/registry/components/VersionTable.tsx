import { Link } from "react-router";
import { formatTime, shortId } from "../../../lib/format";
import { ScoreCI } from "../../leaderboard/components/ScoreCI";
import { formatBytes } from "../../runs/components/ArtifactsTable";
import { versionDownloadUrl, type ModelVersion } from "../api";
import { readProvenance } from "../provenance";

/** A family's versions: aliases, the run and dataset they came from, their evaluation, and a download. */
export function VersionTable({ versions }: { versions: ModelVersion[] }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th>Version</th>
            <th>Aliases</th>
            <th>Run</th>
            <th>Dataset</th>
            <th>Evaluation</th>
            <th className="num">Size</th>
            <th aria-label="Download" />
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => {
            const p = readProvenance(v);
            return (
              <tr key={v.id} data-testid="version-row">
                <td>
                  <Link className="mono" to={`/registry/versions/${v.id}`}>
                    {v.label}
                  </Link>
                  <div className="muted small-text nowrap" title={`content sha256 ${v.sha256}`}>
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
                <td>{p.runId ? <Link to={`/runs/${p.runId}`}>{p.runName ?? shortId(p.runId)}</Link> : "—"}</td>
                <td className="mono">
                  {p.datasetKey ?? "—"}
                  {p.datasetSha256 ? (
                    <div className="muted small-text" title={`dataset sha256 ${p.datasetSha256}`}>
                      {p.datasetSha256.slice(0, 12)}
                    </div>
                  ) : null}
                </td>
                <td>
                  {p.evaluation ? (
                    <>
                      <ScoreCI score={p.evaluation.score} ci={p.evaluation.ci95} />
                      <div className="muted small-text">
                        {p.evaluation.judge} on {p.evaluation.evalSet}
                      </div>
                    </>
                  ) : (
                    <span className="muted">not evaluated</span>
                  )}
                </td>
                <td className="num">{formatBytes(v.size_bytes)}</td>
                <td>
                  <a className="btn" href={versionDownloadUrl(v.id)} download aria-label={`Download ${v.label}`}>
                    Download
                  </a>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
