// The dataset inspect API (GET /api/datasets/{key}/inspect) answers an untyped JSON object; this
// reads the parts the loss-mask preview shows, checking each at run time.

export type PreviewToken = { text: string; loss: boolean; kept: boolean; marker: boolean };
export type PreviewSample = { id: string; split: string; promptTokens: number; completionTokens: number; truncated: boolean; answerCut: boolean; lint: string[]; tokens: PreviewToken[] };
export type Inspection = {
  tokenizer: string;
  records: number;
  maxSeqLength: number;
  truncated: number;
  answerCut: number;
  warnings: string[];
  lintCounts: Record<string, number>;
  samples: PreviewSample[];
};

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const n = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const strs = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === "string");

// chat-template and trace-style markers: <|im_start|>, <start_of_turn>, <think>, </answer>, …
const MARKER = /<\|[^|<>\s]{1,40}\|>|<\/?[a-z_]{2,24}>/g;

/** Marks the tokens that fall inside a template or style marker (so they can be shown apart). */
export function markMarkers(tokens: Omit<PreviewToken, "marker">[]): PreviewToken[] {
  const text = tokens.map((t) => t.text).join("");
  const inMarker = new Uint8Array(text.length);
  for (const m of text.matchAll(MARKER)) inMarker.fill(1, m.index, m.index + m[0].length);
  let at = 0;
  return tokens.map((t) => {
    const marker = t.text.length > 0 && inMarker[at] === 1;
    at += t.text.length;
    return { ...t, marker };
  });
}

/** The preview from the API's JSON (fields it lacks read as empty). */
export function readInspection(body: unknown): Inspection {
  const b = obj(body);
  const lint = obj(b.lint_counts);
  return {
    tokenizer: typeof b.tokenizer === "string" ? b.tokenizer : "",
    records: n(b.records),
    maxSeqLength: n(b.max_seq_length),
    truncated: n(b.truncated),
    answerCut: n(b.answer_cut),
    warnings: strs(b.warnings),
    lintCounts: Object.fromEntries(Object.entries(lint).filter((e): e is [string, number] => typeof e[1] === "number")),
    samples: arr(b.samples).map((raw) => {
      const s = obj(raw);
      const tokens = arr(s.tokens).map((t) => {
        const o = obj(t);
        return { text: typeof o.text === "string" ? o.text : "", loss: o.loss === true, kept: o.kept !== false };
      });
      return {
        id: String(s.id ?? ""),
        split: String(s.split ?? ""),
        promptTokens: n(s.prompt_tokens),
        completionTokens: n(s.completion_tokens),
        truncated: s.truncated === true,
        answerCut: s.answer_cut === true,
        lint: strs(s.lint),
        tokens: markMarkers(tokens),
      };
    }),
  };
}
