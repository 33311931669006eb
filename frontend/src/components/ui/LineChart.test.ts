import { describe, expect, it } from "vitest";
import { alignSeries } from "./LineChart";

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
