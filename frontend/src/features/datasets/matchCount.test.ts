import { describe, expect, it } from "vitest";
import { defaultBuildDraft } from "./build";
import { matchQueries } from "./matchCount";

describe("matchQueries", () => {
  it("asks once per combination of listed values", () => {
    const r = matchQueries({ ...defaultBuildDraft(), category: "a, b", difficulty: "easy" });
    expect(r?.queries).toEqual([
      { limit: 1, category: "a", difficulty: "easy" },
      { limit: 1, category: "b", difficulty: "easy" },
    ]);
    expect(r?.exact).toBe(true);
  });
  it("is an upper bound with several tags or step bounds", () => {
    expect(matchQueries({ ...defaultBuildDraft(), tags: "x, y" })?.exact).toBe(false);
    expect(matchQueries({ ...defaultBuildDraft(), minSteps: "2" })?.exact).toBe(false);
  });
});
