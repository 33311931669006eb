import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { Card, PageHeader } from "../../components/ui/Page";
import { ErrorBox } from "../../components/ui/States";
import { uploadFormatValues } from "../../client/schema";
import { useImportTraces, type UploadFormat } from "../../features/traces/api";

// What each record shape is (docs/interop.md, "Traces in"); auto reads the first line.
const FORMAT_LABELS: Record<UploadFormat, string> = {
  auto: "auto (from the first line)",
  jsonl: "our trace format",
  chat: "chat messages (<think>, reasoning_content or numbered lines)",
  gsm8k: "GSM8K (question, answer with #### final)",
  otlp: "OpenTelemetry GenAI spans (OTLP JSON, one request per line)",
};

/** Upload a JSON-lines file of traces in one of the record shapes, with a progress bar. */
export function TraceImportPage() {
  const [file, setFile] = useState<File | null>(null);
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [format, setFormat] = useState<UploadFormat>("auto");
  const [progress, setProgress] = useState(0);
  const upload = useImportTraces();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setProgress(0);
    upload.mutate({ file, skipInvalid, format, onProgress: setProgress });
  };
  const pct = Math.round((upload.isSuccess ? 1 : progress) * 100);
  return (
    <>
      <PageHeader
        title="Upload traces"
        subtitle="A JSON-lines file: our traces, chat logs, GSM8K pairs or OTLP GenAI spans. Parquet and datasets folders: tunix-rt traces import."
      />
      <Card>
        <form className="form" onSubmit={submit} aria-label="Upload JSONL">
          <label>
            JSONL file
            <input type="file" accept=".jsonl,.ndjson,.json,application/x-ndjson" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </label>
          <label>
            Format
            <select value={format} onChange={(e) => setFormat(e.target.value as UploadFormat)}>
              {uploadFormatValues.map((f) => (
                <option key={f} value={f}>
                  {FORMAT_LABELS[f]}
                </option>
              ))}
            </select>
          </label>
          <label className="check">
            <input type="checkbox" checked={skipInvalid} onChange={(e) => setSkipInvalid(e.target.checked)} />
            Skip invalid lines (otherwise one bad line imports nothing)
          </label>
          <div>
            <button type="submit" className="btn btn-primary" disabled={!file || upload.isPending}>
              {upload.isPending ? "Uploading…" : "Upload"}
            </button>
          </div>
        </form>
        {upload.isPending || upload.isSuccess ? (
          <div className="upload-progress">
            <div className="progress" role="progressbar" aria-label="Upload progress" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
              <div style={{ width: `${pct}%` }} />
            </div>
            <span className="muted">{upload.isPending && pct === 100 ? "Storing…" : `${pct}%`}</span>
          </div>
        ) : null}
        {upload.isError ? <ErrorBox error={upload.error} title="The import was refused" /> : null}
        {upload.data ? (
          <div className="state state-ok" role="status" data-testid="import-result">
            {upload.data.lines} lines: {upload.data.created} created, {upload.data.duplicates} duplicates, {upload.data.skipped} skipped.{" "}
            <Link to="/traces">Open Traces</Link>
            {upload.data.problems?.length ? (
              <ul className="mono small-text">
                {upload.data.problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
      </Card>
    </>
  );
}
