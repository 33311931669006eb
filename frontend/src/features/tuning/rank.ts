import type { Trial } from "./api";

export type RankedTrial = { trial: Trial; number: number; rank: number | null };

/**
 * Trials ranked on the sweep's metric (lowest first for `min`, highest for `max`); trials without a
 * finite metric (running, failed) follow in the order they were sampled. `number` is the sampling order.
 */
export function rankTrials(trials: Trial[], mode: string): RankedTrial[] {
  const all = trials.map((trial, i) => ({ trial, number: i + 1, rank: null as number | null }));
  const scored = all.filter((t) => typeof t.trial.metric_value === "number" && Number.isFinite(t.trial.metric_value));
  const sign = mode === "max" ? -1 : 1;
  scored.sort((a, b) => sign * ((a.trial.metric_value as number) - (b.trial.metric_value as number)) || a.number - b.number);
  scored.forEach((t, i) => (t.rank = i + 1));
  return [...scored, ...all.filter((t) => t.rank === null)];
}

/** A numeric parameter's values and scale, or a categorical one's values, for the plots. */
export type Axis = { key: string; kind: "linear" | "log" | "category"; values: (number | string)[] };

/** The axes of the parallel-coordinates view: one per searched key (log for loguniform). */
export function axesOf(searchSpace: Record<string, unknown>, trials: Trial[]): Axis[] {
  return Object.entries(searchSpace).map(([key, d]) => {
    const type = d && typeof d === "object" ? (d as { type?: string }).type : undefined;
    const values = trials.map((t) => t.params[key]).filter((v): v is number | string => typeof v === "number" || typeof v === "string");
    const numeric = values.length > 0 && values.every((v) => typeof v === "number");
    const kind = !numeric ? "category" : type === "loguniform" ? "log" : "linear";
    return { key, kind, values: [...new Set(values)] };
  });
}

/** Where a value sits on an axis, 0 (bottom) to 1 (top); null when the trial has no value. */
export function position(axis: Axis, v: unknown): number | null {
  if (axis.kind === "category") {
    const cats = axis.values.map(String).sort();
    const i = cats.indexOf(String(v));
    if (i < 0) return null;
    return cats.length === 1 ? 0.5 : i / (cats.length - 1);
  }
  if (typeof v !== "number") return null;
  const nums = axis.values as number[];
  const f = axis.kind === "log" ? (x: number) => Math.log10(Math.max(x, 1e-300)) : (x: number) => x;
  const lo = Math.min(...nums.map(f));
  const hi = Math.max(...nums.map(f));
  return hi === lo ? 0.5 : (f(v) - lo) / (hi - lo);
}
