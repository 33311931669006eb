import type { Schemas } from "../../client/types";
import type { RunMode, TrainConfig, TrainRunRequest } from "./api";

/** The launch form's fields; numbers stay strings while typed and are checked on submit. */
export type LaunchDraft = {
  name: string;
  dataset: string;
  model: string;
  backend: NonNullable<TrainConfig["backend"]>;
  maxSteps: string;
  batchSize: string;
  learningRate: string;
  lrSchedule: NonNullable<TrainConfig["lr_schedule"]>;
  warmupSteps: string;
  maxSeqLength: string;
  template: Schemas["ChatTemplate"];
  style: Schemas["TraceStyle"];
  seed: string;
  logEvery: string;
  evalSet: string;
  extra: string;
  dryRun: boolean;
  mode: RunMode;
};

export const defaultDraft = (): LaunchDraft => ({
  name: "",
  dataset: "",
  model: "tiny-llama",
  backend: "torch",
  maxSteps: "60",
  batchSize: "16",
  learningRate: "0.003",
  lrSchedule: "cosine",
  warmupSteps: "5",
  maxSeqLength: "256",
  template: "chatml",
  style: "numbered",
  seed: "0",
  logEvery: "5",
  evalSet: "",
  extra: "",
  dryRun: false,
  mode: "async",
});

/** The config keys that take a number. */
type NumberKey = { [K in keyof TrainConfig]-?: number extends TrainConfig[K] ? K : never }[keyof TrainConfig];

const INTS: [keyof LaunchDraft, NumberKey][] = [
  ["maxSteps", "max_steps"],
  ["batchSize", "batch_size"],
  ["warmupSteps", "warmup_steps"],
  ["maxSeqLength", "max_seq_length"],
  ["seed", "seed"],
  ["logEvery", "log_every_steps"],
];

/** The request body from the form, or the list of fields that are wrong (all at once). */
export function draftToRequest(d: LaunchDraft): { ok: true; body: TrainRunRequest } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const config: TrainConfig = {
    backend: d.backend,
    model: d.model.trim(),
    template: d.template,
    style: d.style,
    lr_schedule: d.lrSchedule,
  };
  if (!d.model.trim()) problems.push("model: required");
  if (d.dataset) config.dataset = d.dataset;
  else problems.push("dataset: choose one");
  for (const [field, key] of INTS) {
    const raw = String(d[field]).trim();
    if (!raw) continue;
    const n = Number(raw);
    if (!Number.isInteger(n)) problems.push(`${key}: not a whole number`);
    else config[key] = n;
  }
  const lr = Number(d.learningRate);
  if (!d.learningRate.trim() || !Number.isFinite(lr)) problems.push("learning_rate: not a number");
  else config.learning_rate = lr;
  if (d.evalSet) config.eval_set = d.evalSet;
  if (d.extra.trim()) {
    try {
      const extra: unknown = JSON.parse(d.extra);
      if (!extra || typeof extra !== "object" || Array.isArray(extra)) problems.push("extra config: must be a JSON object");
      else Object.assign(config, extra);
    } catch (err) {
      problems.push(`extra config: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (problems.length) return { ok: false, problems };
  const body: TrainRunRequest = { config, dry_run: d.dryRun };
  if (d.name.trim()) body.name = d.name.trim();
  return { ok: true, body };
}
