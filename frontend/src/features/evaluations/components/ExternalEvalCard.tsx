import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api, unwrap } from "../../../client/http";
import { externalFormatValues, traceStyleValues } from "../../../client/schema";
import type { Schemas } from "../../../client/types";
import { Card } from "../../../components/ui/Page";
import { ErrorBox } from "../../../components/ui/States";
import { useEvalSets } from "../../datasets/api";

type ExternalFormat = Schemas["ExternalFormat"];
type TraceStyle = Schemas["TraceStyle"];

/** POST /api/tunix/evaluations/external: the file is the body, the rest query parameters. */
function evaluateFile(file: File, evalSet: string, modelName: string, format: ExternalFormat | "", style: TraceStyle | "") {
  return unwrap(
    api.POST("/api/tunix/evaluations/external", {
      params: {
        query: {
          eval_set: evalSet,
          source: file.name,
          ...(modelName ? { model_name: modelName } : {}),
          ...(format ? { format } : {}),
          ...(style ? { style } : {}),
        },
      },
      // the file's bytes as they are (ours, the earlier system's, lm-eval JSONL or an inspect log)
      body: file as unknown as string,
      bodySerializer: (b: unknown) => b as BodyInit,
      headers: { "Content-Type": "application/octet-stream" },
    }),
  );
}

/** Judge another system's prediction file with our judges; it joins the leaderboard as its own row. */
export function ExternalEvalCard() {
  const evalSets = useEvalSets();
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [evalSet, setEvalSet] = useState("");
  const [modelName, setModelName] = useState("");
  const [format, setFormat] = useState<ExternalFormat | "">("");
  const [style, setStyle] = useState<TraceStyle | "">("");
  const run = useMutation({
    mutationFn: () => evaluateFile(file as File, evalSet, modelName, format, style),
    onSuccess: () => client.invalidateQueries(),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (file && evalSet) run.mutate();
  };
  const done = run.data;
  return (
    <Card title="Evaluate a predictions file">
      <form className="form" onSubmit={submit} aria-label="Evaluate a predictions file">
        <label>
          Predictions file
          <input type="file" accept=".jsonl,.json,.eval,.ndjson" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
        <label>
          Eval set
          <select value={evalSet} onChange={(e) => setEvalSet(e.target.value)}>
            <option value="">choose…</option>
            {(evalSets.data?.data ?? []).map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Model name
          <input value={modelName} placeholder="default: from the file" onChange={(e) => setModelName(e.target.value)} />
        </label>
        <label>
          File format
          <select value={format} onChange={(e) => setFormat(e.target.value as ExternalFormat | "")}>
            <option value="">auto</option>
            {externalFormatValues.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
        <label>
          Trace style
          <select value={style} onChange={(e) => setStyle(e.target.value as TraceStyle | "")}>
            <option value="">unknown (step_check and format skip)</option>
            {traceStyleValues.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <div>
          <button type="submit" className="btn btn-primary" disabled={!file || !evalSet || run.isPending}>
            {run.isPending ? "Uploading…" : "Evaluate"}
          </button>
        </div>
      </form>
      {run.isError ? <ErrorBox error={run.error} title="The file was refused" /> : null}
      {done ? (
        <div className="state state-ok" role="status" data-testid="external-result">
          {done.external.matched} of {done.external.rows} rows matched ({done.external.format}, model{" "}
          {done.external.model_name}); {done.external.missing} items missing, {done.external.extra} extra,{" "}
          {done.external.truncated ?? 0} truncated.{" "}
          <Link to={`/evaluations/${done.id}`}>Open the evaluation</Link>
        </div>
      ) : null}
    </Card>
  );
}
