import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { alignSeries, formatTick, PALETTE, type ChartSeries } from "./chartData";

export type { ChartSeries };

/** A responsive line chart (uPlot) that redraws in place as points arrive. */
export function LineChart({ series, xLabel, yLabel, height = 240, logY = false }: { series: ChartSeries[]; xLabel: string; yLabel: string; height?: number; logY?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => s.label).join("|") + (logY ? "|log" : "");

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 200),
      height,
      scales: { x: { time: false }, y: logY ? { distr: 3 } : {} },
      axes: [
        { label: xLabel, stroke: "#5f6b7a", grid: { stroke: "#eef1f5" } },
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
          points: { show: s.points.length < 40 },
        })),
      ],
      legend: { show: true },
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
  }, [shape, height, xLabel, yLabel]);

  useEffect(() => {
    plot.current?.setData(alignSeries(series) as uPlot.AlignedData);
  }, [series]);

  return <div className="chart" ref={box} role="img" aria-label={`${yLabel} by ${xLabel}: ${series.map((s) => `${s.label} (${s.points.length} points)`).join(", ")}`} />;
}
