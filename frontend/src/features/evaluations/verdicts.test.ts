import { describe, expect, it } from "vitest";
import { verdictsOf, verdictTone, wrongStepSpan } from "./verdicts";

const verdicts = {
  answer_correctness: { score: 0, label: "wrong", extracted: "35", reason: "expected 36", details: { method: "last_number" } },
  step_check: { score: 0, label: "wrong_step", extracted: "12*3=35", reason: "step 1: 12*3 = 36, not 35", details: { first_wrong: { step: 1 } } },
};

describe("verdictsOf", () => {
  it("reads each judge's score, label, reason and extraction method in the judges' order", () => {
    const v = verdictsOf(verdicts, ["step_check", "answer_correctness"]);
    expect(v.map((x) => x.judge)).toEqual(["step_check", "answer_correctness"]);
    expect(v[1]).toMatchObject({ score: 0, label: "wrong", method: "last_number", reason: "expected 36" });
    expect(verdictTone(v[1]!)).toBe("bad");
    expect(verdictTone({ score: null })).toBe("muted");
  });
});

describe("wrongStepSpan", () => {
  const prediction = "1. 12*3=35\nAnswer: 35";
  it("finds the step_check verdict's wrong step in the prediction", () => {
    expect(wrongStepSpan(prediction, null, verdictsOf(verdicts, []))).toEqual([3, 10]);
  });
  it("prefers the API's span and ignores one outside the text", () => {
    expect(wrongStepSpan(prediction, [0, 2], [])).toEqual([0, 2]);
    expect(wrongStepSpan(prediction, [0, 999], [])).toBeNull();
  });
});
