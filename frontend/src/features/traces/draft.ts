import type { TraceCreate } from "./api";

/** What the create form edits; turned into a `TraceCreate` on submit. */
export type TraceDraft = {
  prompt: string;
  steps: { type: string; content: string }[];
  finalAnswer: string;
  category: string;
  tags: string;
};

export const emptyDraft = (): TraceDraft => ({
  prompt: "",
  steps: [{ type: "compute", content: "" }],
  finalAnswer: "",
  category: "",
  tags: "",
});

/** Builds the request body from the form, numbering the non-empty steps from 0. */
export function draftToTrace(draft: TraceDraft): TraceCreate {
  const tags = draft.tags
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  const meta: Record<string, unknown> = { source: "ui" };
  if (draft.category.trim()) meta.category = draft.category.trim();
  if (tags.length) meta.tags = tags;
  return {
    prompt: draft.prompt.trim(),
    steps: draft.steps
      .filter((s) => s.content.trim())
      .map((s, i) => ({ i, type: s.type.trim() || "step", content: s.content.trim() })),
    final_answer: draft.finalAnswer.trim(),
    meta,
  };
}

/** Parses the JSON editor's text; returns the object or a message saying what is wrong. */
export function parseTraceJson(text: string): { ok: true; value: TraceCreate } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `Not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, message: "Expected one JSON object (a trace)" };
  }
  // the server validates the fields and names any that are wrong
  return { ok: true, value: value as TraceCreate };
}

export const EXAMPLE_TRACE = `{
  "prompt": "What is 27 + 48?",
  "steps": [
    {"i": 0, "type": "compute", "content": "7+8=15, write 5 carry 1"},
    {"i": 1, "type": "compute", "content": "2+4+1=7, write 7"}
  ],
  "final_answer": "75",
  "meta": {"category": "arithmetic", "tags": ["addition"]}
}`;
