import type { Schemas } from "../../client/types";
import { defaultRlDraft, rlDraftFromConfig, rlDraftToConfig, type RlDraft } from "../rl/launch";
import type { RunMode, TrainConfig, TrainRunRequest } from "./api";

/** The launch form's fields; numbers stay strings while typed and are checked on submit. */
export type LaunchDraft = {
  name: string;
  dataset: string;
  model: string;
  backend: NonNullable<TrainConfig["backend"]>;
  algorithm: NonNullable<TrainConfig["algorithm"]>;
  /** the GRPO fields, sent as `rl:` when the algorithm is grpo */
  rl: RlDraft;
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
  algorithm: "sft",
  rl: defaultRlDraft(),
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
  if (d.algorithm === "grpo") {
    const { rl, problems: rlProblems } = rlDraftToConfig(d.rl);
    config.algorithm = "grpo";
    config.rl = rl;
    problems.push(...rlProblems);
  }
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

/** The launch form's URL for a copy of a run (`/runs/new?clone=ID`). */
export const cloneHref = (run: { id: string }) => `/runs/new?clone=${encodeURIComponent(run.id)}`;

// config keys the form has a field for; every other key of a cloned run goes to "extra config"
const FORM_KEYS = new Set<string>(["backend", "algorithm", "rl", "model", "dataset", "template", "style", "lr_schedule", "learning_rate", "eval_set", ...INTS.map(([, k]) => k)]);
// keys the server fills per run: a copy must not inherit them
const PER_RUN_KEYS = new Set<string>(["output_dir", "data_path", "eval_data_path"]);

/** A draft holding a run's config (the launch form's "clone"): same fields, the rest as extra JSON. */
export function draftFromConfig(config: Record<string, unknown>, name: string | null | undefined): LaunchDraft {
  const d = defaultDraft();
  const str = (v: unknown, fallback: string) => (v === undefined || v === null ? fallback : String(v));
  const draft: LaunchDraft = {
    ...d,
    name: name ? `${name}-copy` : "",
    dataset: str(config.dataset, ""),
    model: str(config.model, d.model),
    backend: (config.backend as LaunchDraft["backend"] | undefined) ?? d.backend,
    algorithm: config.algorithm === "grpo" ? "grpo" : "sft",
    rl: rlDraftFromConfig(config.rl),
    learningRate: str(config.learning_rate, d.learningRate),
    lrSchedule: (config.lr_schedule as LaunchDraft["lrSchedule"] | undefined) ?? d.lrSchedule,
    template: (config.template as LaunchDraft["template"] | undefined) ?? d.template,
    style: (config.style as LaunchDraft["style"] | undefined) ?? d.style,
    evalSet: str(config.eval_set, ""),
  };
  for (const [field, key] of INTS) (draft as Record<string, unknown>)[field] = str(config[key], "");
  const extra = Object.fromEntries(Object.entries(config).filter(([k, v]) => !FORM_KEYS.has(k) && !PER_RUN_KEYS.has(k) && v !== null));
  draft.extra = Object.keys(extra).length ? JSON.stringify(extra) : "";
  return draft;
}
