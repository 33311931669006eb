import { describe, expect, it } from "vitest";
import { markWrongStep } from "./wrongStep";

const wrong = (text: string, step: number | null) =>
  markWrongStep(text, step)
    .filter((l) => l.wrong)
    .map((l) => l.text);

describe("markWrongStep (first_wrong_step is 1-based)", () => {
  const numbered = "Reasoning:\n1. 17*20=340\n2. 17*4=78\n   so 340+78\n3. 340+78=418\nAnswer: 418";

  it.each([
    [1, ["1. 17*20=340"]],
    [2, ["2. 17*4=78", "   so 340+78"]],
    [3, ["3. 340+78=418"]],
    [4, []],
    [null, []],
    [0, []],
  ])("numbered style, step %s", (step, lines) => {
    expect(wrong(numbered, step)).toEqual(lines);
  });

  it("keeps every line, in order", () => {
    expect(markWrongStep(numbered, 2).map((l) => l.text).join("\n")).toBe(numbered);
  });

  it("counts step lines in the other styles, skipping tags and the answer", () => {
    expect(wrong("<think>\n2*3=6\n6+1=8\n</think>\n8", 2)).toEqual(["6+1=8"]);
    expect(wrong("Answer: 5", 1)).toEqual([]);
  });
});
