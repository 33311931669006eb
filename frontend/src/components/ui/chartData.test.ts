import { describe, expect, it } from "vitest";
import { alignSeries, formatTick, paddedRange } from "./chartData";

describe("alignSeries", () => {
  it("puts every series on one sorted x axis with gaps as null", () => {
    const data = alignSeries([
      { label: "a", points: [{ x: 2, y: 20 }, { x: 1, y: 10 }] },
      { label: "b", points: [{ x: 3, y: 30 }] },
    ]);
    expect(data).toEqual([
      [1, 2, 3],
      [10, 20, null],
      [null, null, 30],
    ]);
  });
});

describe("formatTick", () => {
  it.each([
    [0, "0"],
    [0.001, "1.0e-3"],
    [0.00025, "2.5e-4"],
    [3.14159, "3.14"],
    [250000, "2.5e+5"],
  ])("labels %d as %s", (v, label) => {
    expect(formatTick(v)).toBe(label);
  });
});

describe("paddedRange", () => {
  it("keeps a lone step and the last step inside the plot", () => {
    expect(paddedRange(8, 8, true)).toEqual([7.5, 8.5]);
    const [lo, hi] = paddedRange(1, 8, true);
    expect(lo).toBeLessThan(1);
    expect(hi).toBeGreaterThan(8);
  });
  it("pads values by a share of their span", () => {
    const [lo, hi] = paddedRange(2, 4, false);
    expect(lo).toBeCloseTo(1.84);
    expect(hi).toBeCloseTo(4.16);
  });
});
