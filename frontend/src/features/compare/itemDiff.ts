import type { ItemResult } from "./api";

export type Outcome = "fixed" | "broken" | "both_right" | "both_wrong" | "skipped";

export const OUTCOMES: { id: Outcome; label: string }[] = [
  { id: "fixed", label: "Fixed" },
  { id: "broken", label: "Broken" },
  { id: "both_right", label: "Both right" },
  { id: "both_wrong", label: "Both wrong" },
  { id: "skipped", label: "Not scored" },
];

export type PairedItem = { id: string; position: number; prompt: string; expected: string; a: ItemResult; b: ItemResult; outcome: Outcome };

/** One judge's score of an item (`verdicts[judge].score`), or null when it did not score it. */
export function judgeScore(item: ItemResult, judge: string): number | null {
  const verdict = item.verdicts[judge];
  if (verdict && typeof verdict === "object" && "score" in verdict) {
    const s = (verdict as { score: unknown }).score;
    return typeof s === "number" && Number.isFinite(s) ? s : null;
  }
  return null;
}

/** The server's rule (evaluation/compare.py): an item is right when its score is at least 0.5. */
export function outcomeOf(a: number | null, b: number | null): Outcome {
  if (a === null || b === null) return "skipped";
  const ra = a >= 0.5;
  const rb = b >= 0.5;
  if (rb && !ra) return "fixed";
  if (ra && !rb) return "broken";
  return ra ? "both_right" : "both_wrong";
}

/** Items both evaluations scored, in A's order, each with its outcome under `judge`. */
export function pairItems(a: ItemResult[], b: ItemResult[], judge: string): PairedItem[] {
  const byId = new Map(b.map((r) => [r.item_id, r]));
  const out: PairedItem[] = [];
  for (const ra of a) {
    const rb = byId.get(ra.item_id);
    if (!rb) continue;
    out.push({
      id: ra.item_id,
      position: ra.position,
      prompt: ra.prompt,
      expected: ra.expected,
      a: ra,
      b: rb,
      outcome: outcomeOf(judgeScore(ra, judge), judgeScore(rb, judge)),
    });
  }
  return out.sort((x, y) => x.position - y.position);
}

/** How many items fall in each outcome. */
export function countOutcomes(items: PairedItem[]): Record<Outcome, number> {
  const counts: Record<Outcome, number> = { fixed: 0, broken: 0, both_right: 0, both_wrong: 0, skipped: 0 };
  for (const item of items) counts[item.outcome] += 1;
  return counts;
}

/** A p-value as people read it: three significant digits, or "< 0.001". */
export function formatPValue(p: number): string {
  if (!Number.isFinite(p)) return "—";
  if (p < 0.001) return "< 0.001";
  return p.toFixed(3);
}
