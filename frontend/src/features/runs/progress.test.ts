import { describe, expect, it } from "vitest";
import { formatSeconds } from "./progress";

describe("formatSeconds", () => {
  it.each([
    [5, "5s"],
    [125, "2m 05s"],
    [3720, "1h 02m"],
  ])("%d s reads %s", (s, text) => expect(formatSeconds(s)).toBe(text));
});
