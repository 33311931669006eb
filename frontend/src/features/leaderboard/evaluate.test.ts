import { describe, expect, it } from "vitest";
import { evaluateBody } from "./evaluate";

describe("evaluateBody", () => {
  it.each([
    ["", "", { ok: false, problem: "eval_set: choose one" }],
    ["arith", "", { ok: true, body: { eval_set: "arith" } }],
    ["arith", " 16 ", { ok: true, body: { eval_set: "arith", max_new_tokens: 16 } }],
    ["arith", "0", { ok: false, problem: "max_new_tokens: a whole number ≥ 1" }],
    ["arith", "2.5", { ok: false, problem: "max_new_tokens: a whole number ≥ 1" }],
  ])("eval set %j, max new tokens %j", (evalSet, maxNew, expected) => {
    expect(evaluateBody(evalSet, maxNew)).toEqual(expected);
  });
});
