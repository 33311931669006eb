import type { EvaluateRequest } from "./api";

/** The request from the form, or what is wrong with it. */
export function evaluateBody(evalSet: string, maxNewTokens: string): { ok: true; body: EvaluateRequest } | { ok: false; problem: string } {
  if (!evalSet) return { ok: false, problem: "eval_set: choose one" };
  const raw = maxNewTokens.trim();
  if (!raw) return { ok: true, body: { eval_set: evalSet } };
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) return { ok: false, problem: "max_new_tokens: a whole number ≥ 1" };
  return { ok: true, body: { eval_set: evalSet, max_new_tokens: n } };
}
