// The launch form's GRPO fields (`algorithm: grpo` + `rl:`), as strings while typed, checked on submit.
import type { Schemas } from "../../client/types";

export type RlConfig = Schemas["RlConfig"];
type RewardSpec = Schemas["RewardSpec"];

/** One reward row: a judge, its weight and (step_check only) its mode. */
export type RewardDraft = { judge: string; weight: string; mode: NonNullable<RewardSpec["mode"]> };

export type RlDraft = {
  initFrom: string;
  numGenerations: string;
  promptsPerStep: string;
  maxNewTokens: string;
  temperature: string;
  beta: string;
  loss: NonNullable<RlConfig["loss"]>;
  scaleRewards: NonNullable<RlConfig["scale_rewards"]>;
  filterZeroStd: boolean;
  samplesEvery: string;
  samplesPrompts: string;
  rewards: RewardDraft[];
  /** rl keys the form has no field for (a cloned run's top_p, epsilon, …), sent back as they were */
  other: Record<string, unknown>;
};

export const defaultReward = (judge = "answer_correctness", weight = "1"): RewardDraft => ({ judge, weight, mode: "outcome" });

export const defaultRlDraft = (): RlDraft => ({
  initFrom: "",
  numGenerations: "4",
  promptsPerStep: "4",
  maxNewTokens: "64",
  temperature: "1.0",
  beta: "0",
  loss: "dapo",
  scaleRewards: "group",
  filterZeroStd: false,
  samplesEvery: "10",
  samplesPrompts: "2",
  rewards: [defaultReward()],
  other: {},
});

type RlNumberKey = "num_generations" | "prompts_per_step" | "max_new_tokens" | "temperature" | "beta" | "samples_every_steps" | "samples_prompts";

/** Draft field, config key, whole number or not. */
export const RL_NUMBERS: [keyof RlDraft, RlNumberKey, boolean][] = [
  ["numGenerations", "num_generations", true],
  ["promptsPerStep", "prompts_per_step", true],
  ["maxNewTokens", "max_new_tokens", true],
  ["temperature", "temperature", false],
  ["beta", "beta", false],
  ["samplesEvery", "samples_every_steps", true],
  ["samplesPrompts", "samples_prompts", true],
];

/** The `rl:` section from the draft, or every field that is wrong (named `rl.<key>` as the server does). */
export function rlDraftToConfig(d: RlDraft): { rl: RlConfig; problems: string[] } {
  const problems: string[] = [];
  const rl: RlConfig = { ...d.other, loss: d.loss, scale_rewards: d.scaleRewards, filter_zero_std: d.filterZeroStd };
  if (d.initFrom.trim()) rl.init_from = d.initFrom.trim();
  for (const [field, key, whole] of RL_NUMBERS) {
    const raw = String(d[field]).trim();
    if (!raw) continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || (whole && !Number.isInteger(n))) problems.push(`rl.${key}: not a ${whole ? "whole number" : "number"}`);
    else rl[key] = n;
  }
  rl.rewards = d.rewards.map((r, i) => {
    const weight = Number(r.weight);
    if (!r.judge.trim()) problems.push(`rl.rewards.${i}.judge: name a judge`);
    if (!r.weight.trim() || !Number.isFinite(weight)) problems.push(`rl.rewards.${i}.weight: not a number`);
    const spec: RewardSpec = { judge: r.judge.trim(), weight };
    if (r.judge.trim() === "step_check") spec.mode = r.mode;
    return spec;
  });
  if (!d.rewards.length) problems.push("rl.rewards: add at least one judge");
  return { rl, problems };
}

const text = (v: unknown, fallback: string) => (v === undefined || v === null ? fallback : String(v));

/** The draft holding a run's `rl:` section (the launch form's clone). */
export function rlDraftFromConfig(raw: unknown): RlDraft {
  const d = defaultRlDraft();
  if (!raw || typeof raw !== "object") return d;
  const { init_from, loss, scale_rewards, filter_zero_std, rewards, ...rest } = raw as Record<string, unknown>;
  const draft: RlDraft = {
    ...d,
    initFrom: text(init_from, ""),
    loss: (loss as RlDraft["loss"] | undefined) ?? d.loss,
    scaleRewards: (scale_rewards as RlDraft["scaleRewards"] | undefined) ?? d.scaleRewards,
    filterZeroStd: filter_zero_std === true,
  };
  const numbered = new Set<string>(RL_NUMBERS.map(([, k]) => k));
  for (const [field, key] of RL_NUMBERS) (draft as Record<string, unknown>)[field] = text(rest[key], String(d[field]));
  draft.other = Object.fromEntries(Object.entries(rest).filter(([k]) => !numbered.has(k)));
  if (Array.isArray(rewards)) {
    draft.rewards = rewards.map((r: Partial<RewardSpec>) => ({ judge: text(r.judge, ""), weight: text(r.weight, "1"), mode: r.mode ?? "outcome" }));
  }
  return draft;
}

/** The server's problems under `config.rl.` by their rl path (`num_generations`, `rewards.0.judge`). */
export function rlFieldErrors(problems: readonly { loc: string; msg: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of problems) {
    const m = /^(?:config\.)?rl\.(.+)$/.exec(p.loc);
    if (m && !(m[1]! in out)) out[m[1]!] = p.msg;
  }
  return out;
}
