import { describe, expect, it } from "vitest";
import { describeDistribution, emptyRow, parseValue, toSearchSpace } from "./space";

describe("toSearchSpace", () => {
  it("turns editor rows into the API's distributions, typing choice values", () => {
    const { space, problems } = toSearchSpace([
      { key: "learning_rate", type: "loguniform", values: "", min: "1e-4", max: "3e-3" },
      { key: "batch_size", type: "choice", values: "16, 32", min: "", max: "" },
      { key: "lr_schedule", type: "choice", values: "cosine,constant", min: "", max: "" },
      { key: "warmup_steps", type: "randint", values: "", min: "0", max: "50" },
    ]);
    expect(problems).toEqual([]);
    expect(space).toEqual({
      learning_rate: { type: "loguniform", min: 0.0001, max: 0.003 },
      batch_size: { type: "choice", values: [16, 32] },
      lr_schedule: { type: "choice", values: ["cosine", "constant"] },
      warmup_steps: { type: "randint", min: 0, max: 50 },
    });
  });

  it("names each row that cannot be sent", () => {
    const { problems } = toSearchSpace([
      emptyRow(),
      { key: "a", type: "uniform", values: "", min: "x", max: "1" },
      { key: "b", type: "choice", values: " , ", min: "", max: "" },
      { key: "b", type: "choice", values: "1", min: "", max: "" },
    ]);
    expect(problems).toEqual([
      "row 1: needs a config key",
      "search_space.a: uniform needs numeric min and max",
      "search_space.b: choice needs values, separated by commas",
    ]);
    expect(toSearchSpace([]).problems).toEqual(["search_space: add at least one key"]);
  });

  it("reports a key listed twice", () => {
    const row = { key: "seed", type: "choice" as const, values: "1", min: "", max: "" };
    expect(toSearchSpace([row, row]).problems).toEqual(["search_space.seed: listed twice"]);
  });
});

describe("values and descriptions", () => {
  it("types booleans and numbers and keeps text", () => {
    expect([parseValue("true"), parseValue(" 3 "), parseValue("1e-3"), parseValue("adamw")]).toEqual([true, 3, 0.001, "adamw"]);
  });

  it("describes a distribution on one line", () => {
    expect(describeDistribution({ type: "choice", values: [16, "a"] })).toBe('choice(16, "a")');
    expect(describeDistribution({ type: "uniform", min: 0, max: 0.1 })).toBe("uniform(0, 0.1)");
  });
});
