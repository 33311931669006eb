import { describe, expect, it } from "vitest";
import { chatTemplateValues, presetValues, trainConfigBackendValues, traceStyleValues } from "../../client/schema";
import { defaultDraft, draftFromConfig, draftToRequest } from "./launch";

describe("draftToRequest", () => {
  it("builds the config with numbers, dataset, eval set and extra keys", () => {
    const r = draftToRequest({ ...defaultDraft(), name: "r1", dataset: "arith@v1", evalSet: "eval-v2", extra: '{"weight_decay": 0.1}' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.body.name).toBe("r1");
    expect(r.body.dry_run).toBe(false);
    expect(r.body.config).toMatchObject({
      backend: "torch",
      model: "tiny-llama",
      dataset: "arith@v1",
      max_steps: 60,
      batch_size: 16,
      learning_rate: 0.003,
      eval_set: "eval-v2",
      weight_decay: 0.1,
    });
  });

  it("reports every wrong field at once", () => {
    const r = draftToRequest({ ...defaultDraft(), dataset: "", maxSteps: "1.5", learningRate: "fast", extra: "[1]" });
    expect(r).toEqual({
      ok: false,
      problems: ["dataset: choose one", "max_steps: not a whole number", "learning_rate: not a number", "extra config: must be a JSON object"],
    });
  });

  it("starts from values the backend's schema lists", () => {
    const d = defaultDraft();
    expect(presetValues).toContain(d.model);
    expect(trainConfigBackendValues).toContain(d.backend);
    expect(chatTemplateValues).toContain(d.template);
    expect(traceStyleValues).toContain(d.style);
  });
});

describe("draftToRequest with GRPO", () => {
  it("sends algorithm: grpo and the rl: section only when GRPO is chosen", () => {
    const sft = draftToRequest({ ...defaultDraft(), dataset: "arith@v1" });
    expect(sft.ok && sft.body.config).not.toHaveProperty("rl");
    const grpo = draftToRequest({ ...defaultDraft(), dataset: "arith@v1", algorithm: "grpo" });
    expect(grpo.ok && grpo.body.config).toMatchObject({ algorithm: "grpo", rl: { num_generations: 4, rewards: [{ judge: "answer_correctness", weight: 1 }] } });
  });

  it("reports the rl fields with the others", () => {
    const d = defaultDraft();
    const r = draftToRequest({ ...d, dataset: "a@1", algorithm: "grpo", rl: { ...d.rl, maxNewTokens: "many" } });
    expect(r).toEqual({ ok: false, problems: ["rl.max_new_tokens: not a whole number"] });
  });
});

describe("draftFromConfig", () => {
  it("fills the form from a run's config and keeps unknown keys as extra JSON", () => {
    const d = draftFromConfig({ model: "tiny-qwen3", dataset: "arith@v1", max_steps: 8, learning_rate: 0.01, weight_decay: 0.1, output_dir: "/runs/x", eval_set: "e" }, "base");
    expect(d).toMatchObject({ name: "base-copy", model: "tiny-qwen3", dataset: "arith@v1", maxSteps: "8", learningRate: "0.01", evalSet: "e" });
    expect(JSON.parse(d.extra)).toEqual({ weight_decay: 0.1 });
    const r = draftToRequest(d);
    expect(r.ok && r.body.config).toMatchObject({ max_steps: 8, weight_decay: 0.1 });
  });

  it("clones a GRPO run into the GRPO fields, not the extra JSON", () => {
    const d = draftFromConfig({ model: "tiny-llama", dataset: "a@1", algorithm: "grpo", rl: { num_generations: 2, epsilon: 0.3 } }, "rl");
    expect(d).toMatchObject({ algorithm: "grpo", extra: "" });
    expect(d.rl).toMatchObject({ numGenerations: "2", other: { epsilon: 0.3 } });
  });
});
