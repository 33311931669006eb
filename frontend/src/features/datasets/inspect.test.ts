import { describe, expect, it } from "vitest";
import { markMarkers, readInspection } from "./inspect";

describe("readInspection", () => {
  it("reads the samples' tokens with their loss mask and marks template markers", () => {
    const text = "<|im_start|>user\nhi";
    const tokens = [...text].map((c, i) => ({ text: c, loss: i > 15, kept: true }));
    const r = readInspection({ tokenizer: "char", records: 3, max_seq_length: 64, truncated: 1, warnings: ["w"], lint_counts: { answer_missing: 2 }, samples: [{ id: "t1", split: "train", tokens }] });
    expect(r).toMatchObject({ tokenizer: "char", records: 3, truncated: 1, warnings: ["w"], lintCounts: { answer_missing: 2 } });
    const s = r.samples[0]!;
    expect(s.tokens.filter((t) => t.marker).map((t) => t.text).join("")).toBe("<|im_start|>");
    expect(s.tokens.filter((t) => t.loss).map((t) => t.text).join("")).toBe("\nhi".slice(-3));
  });
  it("reads a body it does not know as empty", () => {
    expect(readInspection(null)).toMatchObject({ records: 0, samples: [], warnings: [] });
  });
  it("marks closing style tags too", () => {
    expect(markMarkers([{ text: "</think>", loss: true, kept: true }])[0]!.marker).toBe(true);
  });
});
