import { describe, expect, it } from "vitest";
import { mergeLines, parseLogLine, type LogLine } from "./logs";

const line = (seq: number, stream = "stdout"): LogLine => ({ seq, stream, line: `l${seq}`, ts: "2026-01-01T00:00:00Z" });

describe("parseLogLine", () => {
  it("accepts a LogLine and rejects anything else", () => {
    expect(parseLogLine(JSON.stringify(line(3, "stderr")))).toEqual(line(3, "stderr"));
    expect(parseLogLine("{}")).toBeNull();
    expect(parseLogLine("not json")).toBeNull();
  });
});

describe("mergeLines", () => {
  it("appends newer lines in seq order and drops resent ones", () => {
    const held = [line(0), line(1)];
    expect(mergeLines(held, [line(3), line(1), line(2)]).map((l) => l.seq)).toEqual([0, 1, 2, 3]);
  });

  it("keeps the same array when nothing is new", () => {
    const held = [line(0)];
    expect(mergeLines(held, [line(0)])).toBe(held);
  });
});
