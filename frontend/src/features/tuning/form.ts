import type { TuningJobCreate } from "./api";
import { toSearchSpace, type SpaceRow } from "./space";

/** The editor's first rows: a learning-rate range and two batch sizes. */
export const START_ROWS: SpaceRow[] = [
  { key: "learning_rate", type: "loguniform", values: "", min: "0.0001", max: "0.003" },
  { key: "batch_size", type: "choice", values: "16, 32", min: "", max: "" },
];

/** The sweep form's fields, as typed. */
export type Fields = {
  name: string;
  dataset_key: string;
  base_model: string;
  base_config: string;
  metric: string;
  mode: NonNullable<TuningJobCreate["mode"]>;
  eval_set: string;
  num_samples: string;
  max_concurrent_trials: string;
  scheduler: NonNullable<TuningJobCreate["scheduler"]>;
  seed: string;
};

export const START_FIELDS: Fields = {
  name: "",
  dataset_key: "",
  base_model: "tiny-llama",
  base_config: '{\n  "max_steps": 100,\n  "batch_size": 16\n}',
  metric: "loss",
  mode: "min",
  eval_set: "",
  num_samples: "4",
  max_concurrent_trials: "2",
  scheduler: "fifo",
  seed: "0",
};

/** The request body from the form, or the problems that keep it from being sent. */
export function sweepBody(f: Fields, rows: SpaceRow[]): { body?: TuningJobCreate; problems: string[] } {
  const { space, problems } = toSearchSpace(rows);
  let baseConfig: Record<string, unknown> = {};
  try {
    const parsed: unknown = f.base_config.trim() ? JSON.parse(f.base_config) : {};
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) problems.push("base_config: must be a JSON object");
    else baseConfig = parsed as Record<string, unknown>;
  } catch (err) {
    problems.push(`base_config: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (problems.length) return { problems };
  const body: TuningJobCreate = {
    name: f.name.trim(),
    dataset_key: f.dataset_key.trim(),
    base_model: f.base_model.trim(),
    base_config: baseConfig,
    metric: f.metric.trim(),
    mode: f.mode,
    eval_set: f.eval_set.trim() || null,
    num_samples: Number(f.num_samples),
    max_concurrent_trials: Number(f.max_concurrent_trials),
    scheduler: f.scheduler,
    seed: Number(f.seed),
    search_space: space,
  };
  return { body, problems };
}

