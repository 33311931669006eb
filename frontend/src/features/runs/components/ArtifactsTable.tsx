import { Empty } from "../../../components/ui/States";
import { formatTime } from "../../../lib/format";
import { artifactUrl, type Artifact } from "../api";

/** A byte count in B/KiB/MiB/GiB. */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** Files of a run directory with download links; checkpoints marked. */
export function ArtifactsTable({ runId, files }: { runId: string; files: Artifact[] }) {
  if (!files.length) return <Empty title="No files yet" />;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th>File</th>
            <th className="num">Size</th>
            <th>sha256</th>
            <th>Modified</th>
          </tr>
        </thead>
        <tbody>
          {files.map((f) => (
            <tr key={f.name}>
              <td className="mono">
                <a href={artifactUrl(runId, f.name)} download>
                  {f.name}
                </a>{" "}
                {f.checkpoint ? <span className="tag">checkpoint</span> : null}
              </td>
              <td className="num">{formatBytes(f.size)}</td>
              <td className="mono muted" title={f.sha256}>
                {f.sha256.slice(0, 12)}
              </td>
              <td className="muted nowrap">{formatTime(f.modified_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
