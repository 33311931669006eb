import { describe, expect, it } from "vitest";
import type { ItemResult } from "./api";
import { countOutcomes, formatPValue, judgeScore, outcomeOf, pairItems } from "./itemDiff";

const item = (id: string, position: number, score: number | null): ItemResult => ({
  item_id: id,
  position,
  section: null,
  category: null,
  difficulty: null,
  prompt: `prompt ${id}`,
  expected: "1",
  prediction: "Answer: 1",
  truncated: false,
  extracted: "1",
  label: score === null ? "unscored" : score >= 0.5 ? "correct" : "wrong",
  score,
  verdicts: score === null ? {} : { answer_correctness: { score } },
});

describe("per-item outcomes", () => {
  it("follows the server's rule: right means a score of at least 0.5", () => {
    expect(outcomeOf(0, 1)).toBe("fixed");
    expect(outcomeOf(0.5, 0.4)).toBe("broken");
    expect(outcomeOf(1, 0.5)).toBe("both_right");
    expect(outcomeOf(0, 0.49)).toBe("both_wrong");
    expect(outcomeOf(null, 1)).toBe("skipped");
  });

  it("pairs items by id in A's order, dropping items only one side has", () => {
    const a = [item("q2", 1, 0), item("q1", 0, 1), item("q3", 2, 0), item("qa", 3, 1)];
    const b = [item("q1", 0, 0), item("q2", 1, 1), item("q3", 2, 0), item("qb", 3, 1)];
    const paired = pairItems(a, b, "answer_correctness");
    expect(paired.map((p) => [p.id, p.outcome])).toEqual([
      ["q1", "broken"],
      ["q2", "fixed"],
      ["q3", "both_wrong"],
    ]);
    expect(countOutcomes(paired)).toEqual({ fixed: 1, broken: 1, both_right: 0, both_wrong: 1, skipped: 0 });
  });

  it("reads one judge's score and formats p-values", () => {
    expect(judgeScore(item("x", 0, 0.75), "answer_correctness")).toBe(0.75);
    expect(judgeScore(item("x", 0, 0.75), "format")).toBeNull();
    expect([formatPValue(0.0004), formatPValue(0.04567), formatPValue(1)]).toEqual(["< 0.001", "0.046", "1.000"]);
  });
});
