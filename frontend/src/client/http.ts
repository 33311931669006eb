import createClient from "openapi-fetch";
import type { paths } from "./schema";

/** The typed HTTP client for the backend; every request path and body is checked against the schema. */
export const api = createClient<paths>({
  baseUrl: typeof window === "undefined" ? "http://127.0.0.1:8000" : window.location.origin,
});

/** A failed API call, carrying the server's own message (its `detail`). */
export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

type Problem = { loc?: unknown; msg?: unknown };

function describeProblem(p: Problem): string {
  const loc = Array.isArray(p.loc) ? p.loc.filter((x) => x !== "body").join(".") : typeof p.loc === "string" ? p.loc : "";
  const msg = typeof p.msg === "string" ? p.msg : JSON.stringify(p);
  return loc ? `${loc}: ${msg}` : msg;
}

/** Turns an error body (`{detail: str}` or `{detail: [{loc, msg}]}`) into one readable line. */
export function detailMessage(body: unknown, fallback: string): string {
  if (body && typeof body === "object" && "detail" in body) {
    const detail = (body as { detail: unknown }).detail;
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) {
      const problems = detail.map((p) => describeProblem(p as Problem)).join("; ");
      const message = (body as { message?: unknown }).message;
      return typeof message === "string" && message ? `${message}: ${problems}` : problems;
    }
  }
  if (typeof body === "string" && body.trim()) return body.trim();
  return fallback;
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
    throw new ApiError(response.status, detailMessage(error, `${response.status} ${response.statusText}`));
  }
  return data as T;
}
