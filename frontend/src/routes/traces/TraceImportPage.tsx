import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { Card, PageHeader } from "../../components/ui/Page";
import { ErrorBox } from "../../components/ui/States";
import { uploadFormatValues } from "../../client/schema";
import { isParquet, useImportTraces, type UploadFormat } from "../../features/traces/api";

// What each record shape is (docs/interop.md, "Traces in"); auto reads the first record.
const FORMAT_LABELS: Record<UploadFormat, string> = {
  auto: "auto (from the first record)",
  jsonl: "our trace format",
  chat: "chat messages (<think>, reasoning_content or numbered lines)",
  gsm8k: "GSM8K (question, answer with #### final)",
  hf: "a Hugging Face datasets table (each row sniffed)",
  otlp: "OpenTelemetry GenAI spans (OTLP JSON, one request per line)",
};

// hf is a Parquet body only; OTLP spans come as JSON lines only.
const formatsFor = (parquet: boolean) => uploadFormatValues.filter((f) => f !== (parquet ? "otlp" : "hf"));

/** Upload a JSON-lines or Parquet file of traces in one of the record shapes, with a progress bar. */
export function TraceImportPage() {
  const [file, setFile] = useState<File | null>(null);
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [format, setFormat] = useState<UploadFormat>("auto");
  const [progress, setProgress] = useState(0);
  const upload = useImportTraces();
  const parquet = file !== null && isParquet(file);
  const formats = formatsFor(parquet);
  const choose = (next: File | null) => {
    setFile(next);
    if (!formatsFor(next !== null && isParquet(next)).includes(format)) setFormat("auto");
  };
  const unit = parquet ? "rows" : "lines";
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
        subtitle="A JSON-lines file (our traces, chat logs, GSM8K pairs or OTLP GenAI spans) or a Parquet file of chat or GSM8K rows. datasets folders: tunix-rt traces import."
      />
      <Card>
        <form className="form" onSubmit={submit} aria-label="Upload JSONL">
          <label>
            JSONL file (or Parquet)
            <input
              type="file"
              accept=".jsonl,.ndjson,.json,.parquet,application/x-ndjson,application/vnd.apache.parquet"
              onChange={(e) => choose(e.target.files?.[0] ?? null)}
            />
          </label>
          <label>
            Format
            <select value={format} onChange={(e) => setFormat(e.target.value as UploadFormat)}>
              {formats.map((f) => (
                <option key={f} value={f}>
                  {FORMAT_LABELS[f]}
                </option>
              ))}
            </select>
          </label>
          <label className="check">
            <input type="checkbox" checked={skipInvalid} onChange={(e) => setSkipInvalid(e.target.checked)} />
            Skip invalid {unit} (otherwise one bad {unit === "rows" ? "row" : "line"} imports nothing)
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
            {upload.data.lines} {unit}: {upload.data.created} created, {upload.data.duplicates} duplicates, {upload.data.skipped} skipped.{" "}
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
