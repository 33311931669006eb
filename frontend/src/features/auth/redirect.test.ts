import { describe, expect, it } from "vitest";
import { safeNext, signInPath } from "./redirect";

describe("safeNext", () => {
  it.each([
    [null, "/"],
    ["", "/"],
    ["/runs/abc?tab=logs", "/runs/abc?tab=logs"],
    ["https://evil.example/", "/"],
    ["//evil.example/", "/"],
    ["/signin", "/"],
    ["/signin?next=%2Fruns", "/"],
    ["/signing-rules", "/signing-rules"],
  ])("%j → %j", (raw, expected) => {
    expect(safeNext(raw)).toBe(expected);
  });
});

describe("signInPath", () => {
  it.each([
    ["/", "/signin"],
    ["/traces?q=card", "/signin?next=%2Ftraces%3Fq%3Dcard"],
    ["/signin", "/signin"],
  ])("%j → %j", (next, expected) => {
    expect(signInPath(next)).toBe(expected);
  });
});
