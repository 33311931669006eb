import { describe, expect, it } from "vitest";
import { problemsOf } from "../../client/http";
import { rewardSpecModeValues, rlConfigLossValues, rlConfigScale_rewardsValues } from "../../client/schema";
import { defaultReward, defaultRlDraft, rlDraftFromConfig, rlDraftToConfig, rlFieldErrors } from "./launch";

describe("rlDraftToConfig", () => {
  it("builds rl: with numbers, rewards and a step_check mode", () => {
    const d = { ...defaultRlDraft(), numGenerations: "2", beta: "0.04", initFrom: " registry://tiny ", rewards: [defaultReward(), { judge: "step_check", weight: "0.5", mode: "process" as const }] };
    const { rl, problems } = rlDraftToConfig(d);
    expect(problems).toEqual([]);
    expect(rl).toMatchObject({ num_generations: 2, beta: 0.04, init_from: "registry://tiny", loss: "dapo", scale_rewards: "group", filter_zero_std: false });
    expect(rl.rewards).toEqual([
      { judge: "answer_correctness", weight: 1 },
      { judge: "step_check", weight: 0.5, mode: "process" },
    ]);
  });

  it("names every wrong field as rl.<key>", () => {
    const { problems } = rlDraftToConfig({ ...defaultRlDraft(), numGenerations: "2.5", temperature: "hot", rewards: [{ judge: "", weight: "x", mode: "outcome" }] });
    expect(problems).toEqual(["rl.num_generations: not a whole number", "rl.temperature: not a number", "rl.rewards.0.judge: name a judge", "rl.rewards.0.weight: not a number"]);
  });

  it("starts from values the backend's schema lists", () => {
    const d = defaultRlDraft();
    expect(rlConfigLossValues).toContain(d.loss);
    expect(rlConfigScale_rewardsValues).toContain(d.scaleRewards);
    expect(rewardSpecModeValues).toContain(d.rewards[0]!.mode);
  });
});

describe("rlDraftFromConfig", () => {
  it("round-trips a run's rl: section, keeping keys without a field", () => {
    const rl = { num_generations: 8, top_p: 0.9, loss: "grpo", filter_zero_std: true, rewards: [{ judge: "format", weight: 0.1 }] };
    const d = rlDraftFromConfig(rl);
    expect(d).toMatchObject({ numGenerations: "8", loss: "grpo", filterZeroStd: true, other: { top_p: 0.9 } });
    expect(rlDraftToConfig(d).rl).toMatchObject({ num_generations: 8, top_p: 0.9, loss: "grpo", rewards: [{ judge: "format", weight: 0.1 }] });
  });
});

describe("rlFieldErrors", () => {
  it("keys the server's config.rl problems by their rl path", () => {
    const errors = rlFieldErrors([
      { loc: "config.rl.num_generations", msg: "GRPO compares G >= 2 completions per prompt" },
      { loc: "config.rl.rewards.0.judge", msg: "unknown judge 'nope'" },
      { loc: "config.max_steps", msg: "too many" },
    ]);
    expect(errors).toEqual({ num_generations: "GRPO compares G >= 2 completions per prompt", "rewards.0.judge": "unknown judge 'nope'" });
  });

  it("reads the locations of a 422 body as the API sends them (FastAPI's body. left out)", () => {
    const body = { message: "m", detail: [{ loc: ["body", "config", "rl", "num_generations"], msg: "too small", type: "x" }, { loc: [], msg: "whole", type: "x" }] };
    expect(rlFieldErrors(problemsOf(body))).toEqual({ num_generations: "too small" });
    expect(problemsOf({ detail: "plain" })).toEqual([]);
  });
});
