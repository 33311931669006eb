import { describe, expect, it } from "vitest";
import { ApiError, detailMessage, unwrap } from "./http";

describe("detailMessage", () => {
  it.each([
    [{ detail: "Trace not found" }, "Trace not found"],
    [{ detail: [{ loc: ["body", "steps"], msg: "too short" }] }, "steps: too short"],
    [{ detail: [{ loc: ["body", "colour"], msg: "extra" }, { loc: ["query", "limit"], msg: "bad" }] }, "colour: extra; query.limit: bad"],
    [{ detail: [{ loc: "line 1", msg: "steps: Field required" }], message: "1 bad line" }, "1 bad line: line 1: steps: Field required"],
    [null, "fallback"],
    ["plain text body", "plain text body"],
  ])("turns %j into one line", (body, expected) => {
    expect(detailMessage(body, "fallback")).toBe(expected);
  });
});

describe("unwrap", () => {
  it("throws the API's message with the status", async () => {
    const response = new Response(null, { status: 409, statusText: "Conflict" });
    const call = Promise.resolve({ error: { detail: "name taken" }, response });
    await expect(unwrap(call)).rejects.toEqual(new ApiError(409, "name taken"));
  });

  it("says when the API cannot be reached", async () => {
    await expect(unwrap(Promise.reject(new TypeError("fetch failed")))).rejects.toThrow(/Cannot reach the API: fetch failed/);
  });

  it("returns the data of a good response", async () => {
    const response = new Response("{}", { status: 200 });
    await expect(unwrap(Promise.resolve({ data: { ok: 1 }, response }))).resolves.toEqual({ ok: 1 });
  });
});
