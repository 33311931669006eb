import { useEffect, useState } from "react";
import type { Schemas } from "../../client/types";
import { TERMINAL } from "./api";

// The `log` events of the SSE stream carry runs/schemas.py's LogLine (the route's 200 response in
// the OpenAPI schema); EventSource data is untyped, so each event is still checked at run time.
export type LogLine = Schemas["LogLine"];

/** A parsed `log` event payload, or null when it is not a LogLine. */
export function parseLogLine(data: string): LogLine | null {
  try {
    const v = JSON.parse(data) as Partial<LogLine>;
    return typeof v.seq === "number" && typeof v.line === "string" && typeof v.stream === "string" && typeof v.ts === "string" ? (v as LogLine) : null;
  } catch {
    return null;
  }
}

/** Adds lines in `seq` order, dropping any already held (a reconnect may resend). */
export function mergeLines(held: LogLine[], incoming: LogLine[]): LogLine[] {
  const last = held.length ? held[held.length - 1]!.seq : -1;
  const fresh = incoming.filter((l) => l.seq > last).sort((a, b) => a.seq - b.seq);
  return fresh.length ? [...held, ...fresh] : held;
}

export type LogStream = { lines: LogLine[]; status: string | null; live: boolean; error: string | null };

const MAX_LINES = 20_000;
const EMPTY: LogStream = { lines: [], status: null, live: false, error: null };

/** Follows GET /api/tunix/runs/{id}/logs over Server-Sent Events until the run ends. */
export function useRunLogs(runId: string): LogStream {
  // state is tagged with its run, so switching runs starts from empty without a reset in the effect
  const [tagged, setTagged] = useState<LogStream & { runId: string }>({ ...EMPTY, runId });
  useEffect(() => {
    const setState = (update: (s: LogStream) => LogStream) =>
      setTagged((t) => ({ ...update(t.runId === runId ? t : EMPTY), runId }));
    const source = new EventSource(`/api/tunix/runs/${encodeURIComponent(runId)}/logs?since_seq=-1`);
    let pending: LogLine[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    // batch bursts of lines into one render
    const flush = () => {
      timer = null;
      const batch = pending;
      pending = [];
      setState((s) => ({ ...s, lines: mergeLines(s.lines, batch).slice(-MAX_LINES) }));
    };
    source.onopen = () => setState((s) => ({ ...s, live: true, error: null }));
    source.addEventListener("log", (e) => {
      const line = parseLogLine((e as MessageEvent<string>).data);
      if (!line) return;
      pending.push(line);
      timer ??= setTimeout(flush, 100);
    });
    source.addEventListener("status", (e) => {
      let status: string | null = null;
      try {
        status = (JSON.parse((e as MessageEvent<string>).data) as { status?: string }).status ?? null;
      } catch {
        return;
      }
      // the stream ends after a final status; without closing, EventSource would reconnect forever
      if (status && TERMINAL.has(status)) {
        source.close();
        if (timer) clearTimeout(timer);
        flush();
        setState((s) => ({ ...s, status, live: false }));
      } else {
        setState((s) => ({ ...s, status }));
      }
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) setState((s) => ({ ...s, live: false, error: "The log stream closed" }));
      else setState((s) => ({ ...s, live: false }));
    };
    return () => {
      if (timer) clearTimeout(timer);
      source.close();
    };
  }, [runId]);
  return tagged.runId === runId ? tagged : EMPTY;
}
