import { describe, expect, it } from "vitest";
import { draftToTrace, parseTraceJson } from "./draft";

describe("draftToTrace", () => {
  it("numbers non-empty steps from 0 and puts category and tags in meta", () => {
    const trace = draftToTrace({
      prompt: " What is 2+2? ",
      steps: [
        { type: "compute", content: "2+2=4" },
        { type: "", content: "   " },
        { type: "", content: "check" },
      ],
      finalAnswer: "4",
      category: "arithmetic",
      tags: "a, b,,",
    });
    expect(trace).toEqual({
      prompt: "What is 2+2?",
      steps: [
        { i: 0, type: "compute", content: "2+2=4" },
        { i: 1, type: "step", content: "check" },
      ],
      final_answer: "4",
      meta: { source: "ui", category: "arithmetic", tags: ["a", "b"] },
    });
  });
});

describe("parseTraceJson", () => {
  it("rejects text that is not JSON", () => {
    const r = parseTraceJson("{nope");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^Not valid JSON/);
  });

  it("rejects an array", () => {
    expect(parseTraceJson("[]")).toEqual({ ok: false, message: "Expected one JSON object (a trace)" });
  });

  it("passes an object through for the server to validate", () => {
    expect(parseTraceJson('{"prompt": "p"}')).toEqual({ ok: true, value: { prompt: "p" } });
  });
});
