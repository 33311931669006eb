import { describe, expect, it } from "vitest";
import { ApiError, detailMessage, forbiddenMessage, onUnauthorized, unwrap } from "./http";

describe("detailMessage", () => {
  it.each([
    [{ detail: "Trace not found" }, "Trace not found"],
    [{ detail: [{ loc: ["body", "steps"], msg: "too short" }] }, "steps: too short"],
    [{ detail: [{ loc: ["body", "colour"], msg: "extra" }, { loc: ["query", "limit"], msg: "bad" }] }, "colour: extra; query.limit: bad"],
    [{ detail: [{ loc: "line 1", msg: "steps: Field required" }], message: "1 bad line" }, "1 bad line: line 1: steps: Field required"],
    [{ detail: [{ loc: [], msg: "this needs the 'write' scope", type: "forbidden" }], message: "this needs the 'write' scope" }, "this needs the 'write' scope"],
    [{ detail: [{ loc: ["body", "name"], msg: "taken" }], message: "invalid input" }, "invalid input: name: taken"],
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

describe("the 401 and 403 of every call", () => {
  const fail = (status: number, detail?: string) =>
    unwrap(Promise.resolve({ error: detail === undefined ? undefined : { detail }, response: new Response(null, { status }) }));

  it("calls the sign-in handler on a 401 and on nothing else", async () => {
    const calls: number[] = [];
    const undo = onUnauthorized(() => calls.push(1));
    await expect(fail(401, "token expired")).rejects.toEqual(new ApiError(401, "token expired"));
    await expect(fail(403, "needs write")).rejects.toBeInstanceOf(ApiError);
    await expect(fail(404, "not found")).rejects.toBeInstanceOf(ApiError);
    undo();
    await expect(fail(401, "again")).rejects.toBeInstanceOf(ApiError);
    expect(calls).toEqual([1]);
  });

  it("names the missing scope on a 403", async () => {
    await expect(fail(403, "this needs the 'write' scope")).rejects.toEqual(new ApiError(403, "This token lacks the write scope."));
  });

  it.each([
    ["scope 'admin' required; the token has read, write", "This token lacks the admin scope."],
    ["missing scope", "This token lacks the scope this action needs (missing scope)."],
    ["cross-site request refused (Origin is not this host)", "cross-site request refused (Origin is not this host)"],
    ["", "This token lacks the scope this action needs."],
  ])("forbiddenMessage(%j)", (detail, expected) => {
    expect(forbiddenMessage(detail)).toBe(expected);
  });
});
