// The first wrong step of a sampled completion, as lines to mark. `first_wrong_step` is
// step_check's, 1-based (judges/step_check.py: `first.index + 1`; samples.py stores it as is).

/** One line of a completion and whether it belongs to the first wrong step. */
export type MarkedLine = { text: string; wrong: boolean };

const NUMBERED = /^(\d+)\. /;
// lines that are not steps in any trace style: the numbered header, the answer, the style's tags
const NOT_A_STEP = /^(Reasoning:|Answer:|<\/?(reasoning|think|answer)>)\s*$|^Answer:/;

/**
 * The completion's lines with the first wrong step's marked. In the numbered style (`k. …`) step k
 * is the line numbered k and its indented continuation lines; in the other styles, where steps are
 * one a line, it is the k-th line that is not a header, tag or answer. Nothing is marked when no
 * step is wrong (null) or the completion has fewer steps than `firstWrongStep`.
 */
export function markWrongStep(text: string, firstWrongStep: number | null | undefined): MarkedLine[] {
  const lines = text.split("\n");
  const marked = lines.map((t) => ({ text: t, wrong: false }));
  if (!firstWrongStep || firstWrongStep < 1) return marked;
  const numbered = lines.findIndex((l) => Number(NUMBERED.exec(l)?.[1]) === firstWrongStep);
  if (numbered >= 0) {
    marked[numbered]!.wrong = true;
    for (let i = numbered + 1; i < lines.length && lines[i]!.startsWith("   "); i++) marked[i]!.wrong = true;
    return marked;
  }
  if (lines.some((l) => NUMBERED.test(l))) return marked; // numbered, but no step k: nothing to mark
  const steps = lines.map((l, i) => [l, i] as const).filter(([l]) => l.trim() && !NOT_A_STEP.test(l.trim()));
  const hit = steps[firstWrongStep - 1];
  if (hit) marked[hit[1]]!.wrong = true;
  return marked;
}
