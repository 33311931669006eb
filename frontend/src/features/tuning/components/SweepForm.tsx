import { useId, useState, type FormEvent } from "react";
import { presetValues, tuningJobCreateMetricExamples, tuningJobCreateModeValues, tuningJobCreateSchedulerValues } from "../../../client/schema";
import { ErrorBox } from "../../../components/ui/States";
import { useDatasets, useEvalSets } from "../../datasets/api";
import { useCreateSweep, type TuningJob } from "../api";
import { START_FIELDS, START_ROWS, sweepBody, type Fields } from "../form";
import type { SpaceRow } from "../space";
import { SpaceEditor } from "./SpaceEditor";

const MODE_HINTS: Record<Fields["mode"], string> = { min: "lower is better", max: "higher is better" };
const SCHEDULER_HINTS: Record<Fields["scheduler"], string> = { fifo: "run every trial", asha: "stop bad trials early" };

/** Create a sweep (and optionally start it); the API's problems are shown as it words them. */
export function SweepForm({ onCreated }: { onCreated: (job: TuningJob) => void }) {
  const ids = useId();
  const [f, setF] = useState<Fields>(START_FIELDS);
  const [rows, setRows] = useState<SpaceRow[]>(START_ROWS);
  const [start, setStart] = useState(true);
  const [problems, setProblems] = useState<string[]>([]);
  const datasets = useDatasets(0, 200);
  const evalSets = useEvalSets();
  const create = useCreateSweep();
  const set = <K extends keyof Fields>(k: K) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value as Fields[K] });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { body, problems: found } = sweepBody(f, rows);
    setProblems(found);
    if (body) create.mutate({ body, start }, { onSuccess: onCreated });
  };

  return (
    <form className="form" onSubmit={submit} aria-label="New sweep">
      <datalist id={`${ids}-datasets`}>
        {datasets.data?.data.map((d) => <option key={d.key} value={d.key} />)}
      </datalist>
      <datalist id={`${ids}-evalsets`}>
        {evalSets.data?.data.map((s) => <option key={s.name} value={s.name} />)}
      </datalist>
      <datalist id={`${ids}-models`}>
        {presetValues.map((p) => <option key={p} value={p} />)}
      </datalist>
      <datalist id={`${ids}-metrics`}>
        {tuningJobCreateMetricExamples.map((m) => <option key={m} value={m} />)}
      </datalist>
      <div className="form-grid">
        <label>
          Name
          <input value={f.name} onChange={set("name")} required maxLength={200} placeholder="lr-sweep" />
        </label>
        <label>
          Dataset
          <input className="mono" list={`${ids}-datasets`} value={f.dataset_key} onChange={set("dataset_key")} required placeholder="arith-mix-v1" />
        </label>
        <label>
          Base model
          <input className="mono" list={`${ids}-models`} value={f.base_model} onChange={set("base_model")} required />
        </label>
        <label>
          Metric
          <input className="mono" list={`${ids}-metrics`} value={f.metric} onChange={set("metric")} required />
        </label>
        <label>
          Mode
          <select value={f.mode} onChange={set("mode")}>
            {tuningJobCreateModeValues.map((m) => (
              <option key={m} value={m}>
                {m} ({MODE_HINTS[m]})
              </option>
            ))}
          </select>
        </label>
        <label>
          Eval set
          <input className="mono" list={`${ids}-evalsets`} value={f.eval_set} onChange={set("eval_set")} placeholder="needed for evaluation metrics" />
        </label>
        <label>
          Trials
          <input type="number" min={1} max={1000} value={f.num_samples} onChange={set("num_samples")} required />
        </label>
        <label>
          Concurrent trials
          <input type="number" min={1} max={64} value={f.max_concurrent_trials} onChange={set("max_concurrent_trials")} required />
        </label>
        <label>
          Scheduler
          <select value={f.scheduler} onChange={set("scheduler")}>
            {tuningJobCreateSchedulerValues.map((s) => (
              <option key={s} value={s}>
                {s} ({SCHEDULER_HINTS[s]})
              </option>
            ))}
          </select>
        </label>
        <label>
          Seed
          <input type="number" min={0} value={f.seed} onChange={set("seed")} required />
        </label>
      </div>
      <label>
        Base training config (JSON, shared by every trial)
        <textarea className="mono" rows={4} value={f.base_config} onChange={set("base_config")} spellCheck={false} />
      </label>
      <p className="muted small-text">
        The sweep holds one worker slot and each running trial another: run workers with at least concurrent trials + 1 slots (e.g.{" "}
        <span className="mono">tunix-rt serve --workers {Number(f.max_concurrent_trials) + 1 || 3}</span>), or trials wait in the queue.
      </p>
      <SpaceEditor rows={rows} onChange={setRows} />
      <label className="check">
        <input type="checkbox" checked={start} onChange={(e) => setStart(e.target.checked)} />
        Start the sweep at once
      </label>
      {problems.length ? (
        <div className="state state-error" role="alert">
          <strong>Fix these first</strong>
          <div className="error-detail">{problems.join("\n")}</div>
        </div>
      ) : null}
      {create.isError ? <ErrorBox error={create.error} title="The sweep was refused" /> : null}
      <div>
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : start ? "Create and start" : "Create sweep"}
        </button>
      </div>
    </form>
  );
}
