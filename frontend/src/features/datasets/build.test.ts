import { describe, expect, it } from "vitest";
import { defaultBuildDraft, draftToBuild } from "./build";

describe("draftToBuild", () => {
  it("turns comma lists into filters and numbers into numbers", () => {
    const r = draftToBuild({ ...defaultBuildDraft(), name: "arith", category: "addition, subtraction", minSteps: "2", strategy: "random", seed: "7", limit: "100" });
    expect(r).toEqual({
      ok: true,
      body: {
        name: "arith",
        version: "v1",
        description: "",
        filters: { category: ["addition", "subtraction"], min_steps: 2 },
        strategy: "random",
        eval_fraction: 0.1,
        dedupe: "content",
        exclude_eval_overlap: false,
        seed: 7,
        limit: 100,
      },
    });
  });

  it("reports every wrong field", () => {
    const r = draftToBuild({ ...defaultBuildDraft(), evalFraction: "1.5", limit: "-1" });
    expect(r).toEqual({ ok: false, problems: ["eval_fraction: between 0 and 1", "name: required", "limit: not a whole number"] });
  });
});
