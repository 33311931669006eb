import { useState, type FormEvent } from "react";
import { useDatasets, useEvalSets } from "../../datasets/api";
import { chatTemplateValues, presetValues, trainConfigAlgorithmValues, trainConfigLr_scheduleValues, traceStyleValues } from "../../../client/schema";
import type { ApiProblem } from "../../../client/http";
import { RlFields } from "../../rl/components/RlFields";
import { rlFieldErrors } from "../../rl/launch";
import { useBackends, type RunMode, type TrainRunRequest } from "../api";
import { defaultDraft, draftToRequest, type LaunchDraft } from "../launch";

/** The training launch form: dataset, model, backend and the key hyperparameters. */
export function LaunchForm({
  busy,
  onSubmit,
  initialDataset = "",
  initial,
  serverProblems = [],
}: {
  busy: boolean;
  onSubmit: (body: TrainRunRequest, mode: RunMode) => void;
  initialDataset?: string;
  /** a whole draft to start from (a cloned run) */
  initial?: LaunchDraft;
  /** the server's refusal of the last submit, shown at the fields it names (the GRPO ones) */
  serverProblems?: readonly ApiProblem[];
}) {
  const [d, setD] = useState<LaunchDraft>(() => initial ?? { ...defaultDraft(), dataset: initialDataset });
  const [problems, setProblems] = useState<string[]>([]);
  const datasets = useDatasets(0, 200);
  const evalSets = useEvalSets();
  const backends = useBackends();
  const field = (k: keyof LaunchDraft) => ({
    value: String(d[k]),
    onChange: (e: { target: { value: string } }) => setD((prev) => ({ ...prev, [k]: e.target.value })),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = draftToRequest(d);
    if (!r.ok) return setProblems(r.problems);
    setProblems([]);
    onSubmit(r.body, d.mode);
  };
  return (
    <form className="form" onSubmit={submit} aria-label="Launch a training run">
      <div className="row">
        <label className="grow">
          Run name
          <input {...field("name")} placeholder="optional" />
        </label>
        <label className="grow">
          Dataset
          <select {...field("dataset")}>
            <option value="">{datasets.isPending ? "Loading…" : "Choose a dataset"}</option>
            {datasets.data?.data.map((ds) => (
              <option key={ds.key} value={ds.key}>
                {ds.key} ({ds.train_count} train / {ds.eval_count} eval)
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="row">
        <label className="grow">
          Model (preset, local directory or registry://name/alias)
          <input {...field("model")} list="model-presets" className="mono" />
          <datalist id="model-presets">
            {presetValues.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
        </label>
        <label>
          Backend
          <select {...field("backend")}>
            {(backends.data?.backends ?? [{ name: "torch", available: true }]).map((b) => (
              <option key={b.name} value={b.name} disabled={!b.available}>
                {b.name}
                {b.available ? "" : " (not installed)"}
              </option>
            ))}
          </select>
        </label>
        <label>
          Algorithm
          <select {...field("algorithm")}>
            {trainConfigAlgorithmValues.map((a) => (
              <option key={a} value={a}>
                {a.toUpperCase()}
              </option>
            ))}
          </select>
        </label>
      </div>
      {d.algorithm === "grpo" ? <RlFields value={d.rl} onChange={(rl) => setD((prev) => ({ ...prev, rl }))} errors={rlFieldErrors(serverProblems)} /> : null}
      <fieldset>
        <legend>Hyperparameters</legend>
        <div className="form-grid">
          <label>
            Max steps
            <input {...field("maxSteps")} inputMode="numeric" />
          </label>
          <label>
            Batch size
            <input {...field("batchSize")} inputMode="numeric" />
          </label>
          <label>
            Learning rate
            <input {...field("learningRate")} inputMode="decimal" />
          </label>
          <label>
            Schedule
            <select {...field("lrSchedule")}>
              {trainConfigLr_scheduleValues.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            Warmup steps
            <input {...field("warmupSteps")} inputMode="numeric" />
          </label>
          <label>
            Max sequence length
            <input {...field("maxSeqLength")} inputMode="numeric" />
          </label>
          <label>
            Chat template
            <select {...field("template")}>
              {chatTemplateValues.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </label>
          <label>
            Trace style
            <select {...field("style")}>
              {traceStyleValues.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </label>
          <label>
            Seed
            <input {...field("seed")} inputMode="numeric" />
          </label>
          <label>
            Log every (steps)
            <input {...field("logEvery")} inputMode="numeric" />
          </label>
          <label>
            Evaluate on (eval set)
            <select {...field("evalSet")}>
              <option value="">none</option>
              {evalSets.data?.data.map((s) => (
                <option key={s.name} value={s.name}>
                  {s.name} ({s.item_count})
                </option>
              ))}
            </select>
          </label>
        </div>
        <label>
          Extra config (JSON object, merged in; e.g. {'{"lora": {"rank": 8}}'})
          <textarea className="mono" rows={2} {...field("extra")} spellCheck={false} />
        </label>
      </fieldset>
      <div className="row">
        <label className="check">
          <input type="checkbox" checked={d.dryRun} onChange={(e) => setD({ ...d, dryRun: e.target.checked })} />
          Dry run (validate only)
        </label>
        <label className="check">
          <input type="radio" name="mode" checked={d.mode === "async"} onChange={() => setD({ ...d, mode: "async" })} />
          Async (return at once)
        </label>
        <label className="check">
          <input type="radio" name="mode" checked={d.mode === "sync"} onChange={() => setD({ ...d, mode: "sync" })} />
          Sync (wait for the end)
        </label>
      </div>
      {problems.length ? (
        <div className="state state-error" role="alert">
          <strong>Fix these fields</strong>
          <ul className="mono small-text">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <div>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? (d.mode === "sync" ? "Training…" : "Submitting…") : d.dryRun ? "Validate" : "Launch run"}
        </button>
      </div>
    </form>
  );
}
