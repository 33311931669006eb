import createClient from "openapi-fetch";
import { scopeValues, type paths } from "./schema";

/** The typed HTTP client for the backend; every request path and body is checked against the schema. */
export const api = createClient<paths>({
  baseUrl: typeof window === "undefined" ? "http://127.0.0.1:8000" : window.location.origin,
  // Our own shapes even on a server with the earlier API's adapter on (docs/compat.md).
  headers: { "X-Tunix-RT-API": "native" },
});

/** One problem of an error body: where (dotted, without FastAPI's `body.`, e.g. `config.rl.beta`) and what. */
export type ApiProblem = { loc: string; msg: string };

/** A failed API call, carrying the server's own message (its `detail`) and its problems by location. */
export class ApiError extends Error {
  readonly status: number;
  readonly problems: ApiProblem[];

  constructor(status: number, message: string, problems: ApiProblem[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.problems = problems;
  }
}

type Problem = { loc?: unknown; msg?: unknown };

function locOf(p: Problem): string {
  return Array.isArray(p.loc) ? p.loc.filter((x) => x !== "body").join(".") : typeof p.loc === "string" ? p.loc : "";
}

function describeProblem(p: Problem): string {
  const loc = locOf(p);
  const msg = typeof p.msg === "string" ? p.msg : JSON.stringify(p);
  return loc ? `${loc}: ${msg}` : msg;
}

/** The located problems of an error body (`{detail: [{loc, msg}]}`); none for other shapes. */
export function problemsOf(body: unknown): ApiProblem[] {
  const detail = body && typeof body === "object" && "detail" in body ? (body as { detail: unknown }).detail : null;
  if (!Array.isArray(detail)) return [];
  return (detail as Problem[]).filter((p) => locOf(p) && typeof p.msg === "string").map((p) => ({ loc: locOf(p), msg: p.msg as string }));
}

/** Turns an error body (`{detail: str}` or `{detail: [{loc, msg}]}`) into one readable line. */
export function detailMessage(body: unknown, fallback: string): string {
  if (body && typeof body === "object" && "detail" in body) {
    const detail = (body as { detail: unknown }).detail;
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) {
      const raw = (body as { message?: unknown }).message;
      const message = typeof raw === "string" ? raw : "";
      // the error model repeats a lone problem as the message: say it once
      const problems = detail.map((p) => describeProblem(p as Problem)).filter((p) => p !== message).join("; ");
      return message && problems ? `${message}: ${problems}` : message || problems;
    }
  }
  if (typeof body === "string" && body.trim()) return body.trim();
  return fallback;
}

// Scopes nest (read ⊂ write ⊂ admin); a 403 names the one a route needs, so look for the widest first.
const SCOPES_WIDEST_FIRST = [...scopeValues].reverse();

/** The message of a 403: which scope this token lacks; a 403 for another reason keeps its own words. */
export function forbiddenMessage(detail: string): string {
  if (detail && !/\bscopes?\b/i.test(detail)) return detail; // e.g. a cross-site write refused
  const scope = SCOPES_WIDEST_FIRST.find((s) => new RegExp(`\\b${s}\\b`).test(detail));
  if (scope) return `This token lacks the ${scope} scope.`;
  return detail ? `This token lacks the scope this action needs (${detail}).` : "This token lacks the scope this action needs.";
}

let unauthorizedHandler: (() => void) | null = null;

/** Sets what happens on any 401 (the app sends the user to sign in); returns the undo. */
export function onUnauthorized(handler: () => void): () => void {
  unauthorizedHandler = handler;
  return () => {
    if (unauthorizedHandler === handler) unauthorizedHandler = null;
  };
}

/**
 * The one place a failed response becomes an `ApiError` (fetch and XHR alike): a 401 also calls
 * the sign-in handler, and a 403 says which scope the token lacks.
 */
export function responseError(status: number, body: unknown, fallback: string): ApiError {
  if (status === 401) unauthorizedHandler?.();
  const message = detailMessage(body, fallback);
  return new ApiError(status, status === 403 ? forbiddenMessage(message === fallback ? "" : message) : message, problemsOf(body));
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** Resolves to the response data, or throws an `ApiError` with the API's message. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch (err) {
    throw new ApiError(0, `Cannot reach the API: ${err instanceof Error ? err.message : String(err)}`);
  }
  const { data, error, response } = result;
  if (!response.ok || error !== undefined) {
    throw responseError(response.status, error, `${response.status} ${response.statusText}`);
  }
  return data as T;
}
