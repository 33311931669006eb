// Pure helpers of the evaluation browser: each judge's verdict read from an item, and the span of
// the first wrong step inside the prediction.

/** One judge's decision on an item (stored per item as `verdicts[judge]`, typed loosely by the API). */
export type Verdict = { judge: string; score: number | null; label: string; extracted: string | null; reason: string; method: string | null };

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** The verdicts of an item, one per judge, in the judges' order (a judge with no verdict is left out). */
export function verdictsOf(verdicts: Record<string, unknown>, judges: readonly string[]): Verdict[] {
  const names = [...judges, ...Object.keys(verdicts).filter((k) => !judges.includes(k))];
  const out: Verdict[] = [];
  for (const judge of names) {
    const raw = verdicts[judge];
    if (!raw || typeof raw !== "object") continue;
    const v = raw as Record<string, unknown>;
    const details = v.details && typeof v.details === "object" ? (v.details as Record<string, unknown>) : {};
    out.push({
      judge,
      score: typeof v.score === "number" ? v.score : null,
      label: str(v.label) ?? "",
      extracted: str(v.extracted),
      reason: str(v.reason) ?? "",
      method: str(details.method),
    });
  }
  return out;
}

/**
 * Where the first wrong step sits in the prediction: the API's span when it gives one, else the
 * step_check verdict's wrong step (its `extracted` text) found in the prediction; null when no
 * step is wrong or the text cannot be found.
 */
export function wrongStepSpan(prediction: string, apiSpan: readonly number[] | null | undefined, verdicts: Verdict[]): [number, number] | null {
  if (apiSpan && apiSpan.length === 2) {
    const [a, b] = apiSpan as [number, number];
    if (a >= 0 && b > a && b <= prediction.length) return [a, b];
  }
  const step = verdicts.find((v) => v.judge === "step_check" && v.label === "wrong_step")?.extracted;
  if (!step) return null;
  const at = prediction.indexOf(step);
  return at >= 0 ? [at, at + step.length] : null;
}

/** A verdict's tone: right, wrong or neither (skipped). */
export function verdictTone(v: Pick<Verdict, "score">): "ok" | "bad" | "muted" {
  if (v.score === null) return "muted";
  return v.score >= 0.5 ? "ok" : "bad";
}
