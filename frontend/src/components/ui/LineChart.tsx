import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export type ChartSeries = { label: string; points: { x: number; y: number }[]; color?: string; dash?: number[] };

const PALETTE = ["#2f5bea", "#e0761c", "#1a7f4b", "#b33dc6", "#c62f2f"];

/** Aligns several (x, y) series on one sorted x axis, with nulls where a series has no point. */
export function alignSeries(series: ChartSeries[]): uPlot.AlignedData {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const col: (number | null)[] = new Array(xs.length).fill(null);
    for (const p of s.points) col[index.get(p.x)!] = p.y;
    return col;
  });
  return [xs, ...ys] as uPlot.AlignedData;
}

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
        { label: yLabel, stroke: "#5f6b7a", grid: { stroke: "#eef1f5" }, size: 60 },
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
    plot.current = new uPlot(opts, alignSeries(series), el);
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
    plot.current?.setData(alignSeries(series));
  }, [series]);

  return <div className="chart" ref={box} role="img" aria-label={`${yLabel} by ${xLabel}: ${series.map((s) => s.label).join(", ")}`} />;
}
