import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { alignSeries, formatTick, INTEGER_INCRS, paddedRange, PALETTE, type ChartSeries } from "./chartData";

export type { ChartSeries };

/**
 * A responsive line chart (uPlot) that redraws in place as points arrive. The x axis counts steps
 * by default (`integerX`): whole-number ticks only. Both scales are padded so points on the edge
 * values stay inside the plot; the drawn ranges and x ticks are left on the element as
 * `data-x-range`, `data-y-range` and `data-x-ticks` (the e2e suite reads them).
 */
export function LineChart({
  series,
  xLabel,
  yLabel,
  height = 240,
  logY = false,
  integerX = true,
}: {
  series: ChartSeries[];
  xLabel: string;
  yLabel: string;
  height?: number;
  logY?: boolean;
  integerX?: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => `${s.label}/${s.color ?? ""}/${s.dash?.join(",") ?? ""}`).join("|") + (logY ? "|log" : "");

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 200),
      height,
      scales: {
        x: { time: false, range: (_u, min, max) => paddedRange(min, max, integerX) },
        y: logY ? { distr: 3 } : { range: (_u, min, max) => paddedRange(min, max, false) },
      },
      axes: [
        {
          label: xLabel,
          stroke: "#5f6b7a",
          grid: { stroke: "#eef1f5" },
          ...(integerX ? { incrs: INTEGER_INCRS } : {}),
          values: (_u, ticks) => {
            el.dataset.xTicks = ticks.join(",");
            return ticks.map((t) => (integerX ? String(t) : formatTick(t)));
          },
        },
        { label: yLabel, stroke: "#5f6b7a", grid: { stroke: "#eef1f5" }, size: 64, values: (_u, ticks) => ticks.map(formatTick) },
      ],
      series: [
        { label: xLabel },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.color ?? PALETTE[i % PALETTE.length],
          width: 2,
          dash: s.dash,
          spanGaps: true,
          points: { show: s.points.length < 40, size: s.points.length === 1 ? 8 : 5 },
        })),
      ],
      legend: { show: true },
      hooks: {
        draw: [
          (u) => {
            el.dataset.xRange = `${u.scales.x?.min ?? ""},${u.scales.x?.max ?? ""}`;
            el.dataset.yRange = `${u.scales.y?.min ?? ""},${u.scales.y?.max ?? ""}`;
          },
        ],
      },
    };
    plot.current = new uPlot(opts, alignSeries(series) as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(el.clientWidth, 200), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // rebuilt only when the set of series changes; data updates go through setData below
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, height, xLabel, yLabel, integerX]);

  useEffect(() => {
    plot.current?.setData(alignSeries(series) as uPlot.AlignedData);
  }, [series]);

  return <div className="chart" ref={box} role="img" aria-label={`${yLabel} by ${xLabel}: ${series.map((s) => `${s.label} (${s.points.length} points)`).join(", ")}`} />;
}
