import type { Middleware } from "openapi-fetch";
import { api } from "../../client/http";

export type Reply = { status: number; body?: unknown };

/**
 * Answers the API client's requests in unit tests (`"POST /api/auth/session"` → a reply) and
 * records them; the test's cleanup ejects it.
 */
export function answerAuth(replies: Record<string, (request: Request) => Reply | Promise<Reply>>) {
  const seen: { method: string; path: string; body: string }[] = [];
  const middleware: Middleware = {
    async onRequest({ request }) {
      const path = new URL(request.url).pathname;
      const key = `${request.method} ${path}`;
      seen.push({ method: request.method, path, body: await request.clone().text() });
      const reply = replies[key];
      if (!reply) return new Response(JSON.stringify({ detail: `no reply for ${key}` }), { status: 500 });
      const { status, body } = await reply(request);
      return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    },
  };
  api.use(middleware);
  return { seen, eject: () => api.eject(middleware) };
}
