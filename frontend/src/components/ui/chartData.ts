// Pure helpers of LineChart, apart from uPlot (which needs a real window to load).

export type AlignedData = [number[], ...(number | null)[][]];

export type ChartSeries = { label: string; points: { x: number; y: number }[]; color?: string; dash?: number[] };

export const PALETTE = ["#2f5bea", "#e0761c", "#1a7f4b", "#b33dc6", "#c62f2f"];

/** Aligns several (x, y) series on one sorted x axis, with nulls where a series has no point. */
export function alignSeries(series: ChartSeries[]): AlignedData {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const col: (number | null)[] = new Array(xs.length).fill(null);
    for (const p of s.points) col[index.get(p.x)!] = p.y;
    return col;
  });
  return [xs, ...ys] as AlignedData;
}

/** An axis label: plain for ordinary magnitudes, exponent notation for tiny or huge ones. */
export function formatTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a < 0.01 || a >= 1e5) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}


/** Tick steps of an integer axis (training steps): never a fractional step. */
export const INTEGER_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1_000, 2_000, 2_500, 5_000, 10_000, 20_000, 50_000, 100_000, 1_000_000];

/**
 * A scale's range padded on both sides, so a point on the first or last value (an eval-loss point
 * at the last step, a lone point) is drawn inside the plot and not on or past its edge.
 */
export function paddedRange(min: number | null, max: number | null, integer: boolean): [number, number] {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  const span = max - min;
  const pad = integer ? Math.max(0.5, span * 0.03) : span > 0 ? span * 0.08 : Math.abs(max) * 0.1 || 0.5;
  return [min - pad, max + pad];
}
