import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { Card, PageHeader } from "../../components/ui/Page";
import { ErrorBox, QueryView } from "../../components/ui/States";
import { exportUrl, useDataset, useDeleteDataset } from "../../features/datasets/api";
import { CountTable } from "../../features/datasets/components/CountTable";
import { MaskPreview } from "../../features/datasets/components/MaskPreview";
import { chatTemplateValues, pathsApiDatasetsKeyExportJsonlGetParametersQueryFormatValues as FORMATS, traceStyleValues } from "../../client/schema";
import { formatTime } from "../../lib/format";

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const counts = (v: unknown): Record<string, number> =>
  Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, number] => typeof e[1] === "number"));

/** A dataset's manifest: counts, statistics, split, dedupe, contamination, and export links. */
export function DatasetDetailPage() {
  const { key = "" } = useParams();
  const navigate = useNavigate();
  const ds = useDataset(key);
  const remove = useDeleteDataset();
  const [template, setTemplate] = useState("chatml");
  const [style, setStyle] = useState("numbered");
  return (
    <QueryView query={ds} errorTitle="Could not load the dataset">
      {(d) => {
        const m = obj(d.manifest);
        const stats = obj(m.stats);
        const steps = obj(stats.steps);
        const contamination = obj(m.contamination);
        const dedupe = obj(m.dedupe);
        return (
          <>
            <PageHeader
              title={d.key}
              subtitle={d.content_hash}
              actions={
                <>
                  <Link className="btn btn-primary" to={`/runs/new?dataset=${encodeURIComponent(d.key)}`}>
                    Train on this
                  </Link>
                  <button
                    type="button"
                    className="btn btn-danger"
                    disabled={remove.isPending}
                    onClick={() => window.confirm(`Delete ${d.key}?`) && remove.mutate(d.key, { onSuccess: () => navigate("/datasets") })}
                  >
                    Delete
                  </button>
                </>
              }
            />
            {remove.isError ? <ErrorBox error={remove.error} title="Could not delete" /> : null}
            <div className="stack">
              <div className="grid grid-3">
                <Card>
                  <div className="stat">
                    <span className="stat-value" data-testid="record-count">{d.record_count}</span>
                    <span className="stat-label">records</span>
                  </div>
                </Card>
                <Card>
                  <div className="stat">
                    <span className="stat-value">
                      {d.train_count} / {d.eval_count}
                    </span>
                    <span className="stat-label">train / eval</span>
                  </div>
                </Card>
                <Card>
                  <div className="stat">
                    <span className="stat-value">{typeof steps.mean === "number" ? steps.mean.toFixed(1) : "—"}</span>
                    <span className="stat-label">steps per trace (mean)</span>
                  </div>
                </Card>
              </div>
              <div className="grid grid-main-side">
                <Card title="Composition">
                  <div className="grid grid-2">
                    <CountTable title="Category" counts={counts(stats.by_category)} />
                    <CountTable title="Source" counts={counts(stats.by_source)} />
                    <CountTable title="Difficulty" counts={counts(stats.by_difficulty)} />
                    <CountTable title="Split" counts={counts(stats.splits)} />
                  </div>
                </Card>
                <Card title="Build">
                  <dl className="kv">
                    <dt>Strategy</dt>
                    <dd>{d.strategy}</dd>
                    <dt>Seed</dt>
                    <dd>{d.seed ?? "—"}</dd>
                    <dt>Dedupe</dt>
                    <dd>
                      {String(dedupe.by ?? "—")} ({String(dedupe.dropped ?? 0)} dropped)
                    </dd>
                    <dt>Contamination</dt>
                    <dd data-testid="contamination">
                      {typeof contamination.overlap_count === "number" ? `${contamination.overlap_count} overlaps with eval sets` : "not checked"}
                    </dd>
                    <dt>Parent</dt>
                    <dd className="mono">{d.parent_key ?? "—"}</dd>
                    <dt>Created</dt>
                    <dd>{formatTime(d.created_at)}</dd>
                  </dl>
                </Card>
              </div>
              <MaskPreview datasetKey={d.key} />
              <Card title="Export">
                <div className="toolbar">
                  <label>
                    Template
                    <select value={template} onChange={(e) => setTemplate(e.target.value)}>
                      {chatTemplateValues.map((t) => (
                        <option key={t}>{t}</option>
                      ))}
                    </select>
                  </label>
                  <label>
                    Style
                    <select value={style} onChange={(e) => setStyle(e.target.value)}>
                      {traceStyleValues.map((t) => (
                        <option key={t}>{t}</option>
                      ))}
                    </select>
                  </label>
                </div>
                <div className="row">
                  {FORMATS.map((f) => (
                    <a key={f} className="btn" href={exportUrl(d.key, f, f === "trace" ? {} : { template, style })} download>
                      {f}
                    </a>
                  ))}
                </div>
              </Card>
              <Card title="Manifest">
                <pre className="mono block small manifest">{JSON.stringify(d.manifest, null, 2)}</pre>
              </Card>
            </div>
          </>
        );
      }}
    </QueryView>
  );
}
