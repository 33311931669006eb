import { Empty } from "../../../components/ui/States";
import { formatNumber } from "../../../lib/format";
import type { Trial } from "../api";
import { axesOf, position, type Axis } from "../rank";

const W = 640;
const H = 220;
const PAD = { top: 18, bottom: 34, side: 56 };

const label = (v: number | string) => (typeof v === "number" ? formatNumber(v, 3) : v);

/** A colour from good (green) to bad (red) for a metric value, by the sweep's mode. */
function tone(v: number, lo: number, hi: number, mode: string): string {
  const t = hi === lo ? 0 : (v - lo) / (hi - lo);
  const good = mode === "max" ? t : 1 - t;
  const hue = Math.round(good * 130);
  return `hsl(${hue} 65% 42%)`;
}

/** Where an axis name sits: the first starts at the left edge, the last ends at the right one. */
function nameAt(i: number, n: number, x: number): { x: number; textAnchor: "start" | "middle" | "end" } {
  if (i === 0 && n > 1) return { x: 4, textAnchor: "start" };
  if (i === n - 1 && n > 1) return { x: W - 4, textAnchor: "end" };
  return { x, textAnchor: "middle" };
}

function ends(axis: Axis): [string, string] {
  if (axis.kind === "category") {
    const cats = axis.values.map(String).sort();
    return [cats[0] ?? "", cats[cats.length - 1] ?? ""];
  }
  const nums = axis.values as number[];
  return [label(Math.min(...nums)), label(Math.max(...nums))];
}

/**
 * Parallel coordinates of the finished trials: one vertical axis per searched key and one for the
 * metric, each trial a line coloured by its metric (best green); the best trial is drawn thick.
 */
export function ParallelCoordinates({ trials, searchSpace, metric, mode, bestId }: { trials: Trial[]; searchSpace: Record<string, unknown>; metric: string; mode: string; bestId: string | null }) {
  const done = trials.filter((t) => typeof t.metric_value === "number" && Number.isFinite(t.metric_value));
  if (done.length < 2) return <Empty title="Not enough finished trials">The plots need two trials with a metric.</Empty>;
  const metrics = done.map((t) => t.metric_value as number);
  const metricAxis: Axis = { key: metric, kind: "linear", values: metrics };
  const axes = [...axesOf(searchSpace, done), metricAxis];
  const x = (i: number) => PAD.side + (i * (W - 2 * PAD.side)) / Math.max(1, axes.length - 1);
  const y = (p: number) => PAD.top + (1 - p) * (H - PAD.top - PAD.bottom);
  const [lo, hi] = [Math.min(...metrics), Math.max(...metrics)];
  const ordered = [...done].sort((a) => (a.id === bestId ? 1 : -1));
  return (
    <svg className="sweep-plot" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Parallel coordinates of ${done.length} trials over ${axes.map((a) => a.key).join(", ")}`} data-testid="parallel-coordinates">
      {axes.map((a, i) => {
        const [bottom, top] = ends(a);
        return (
          <g key={a.key}>
            <line x1={x(i)} x2={x(i)} y1={y(0)} y2={y(1)} className="axis-line" />
            {/* the outer axes' names grow inwards, so a long key is not cut at the plot's edge */}
            <text {...nameAt(i, axes.length, x(i))} y={H - 8} className="axis-name">
              {a.key}
              {a.kind === "log" ? " (log)" : ""}
            </text>
            <text x={x(i) + 4} y={y(1) + 4} className="axis-tick">
              {top}
            </text>
            <text x={x(i) + 4} y={y(0)} className="axis-tick">
              {bottom}
            </text>
          </g>
        );
      })}
      {ordered.map((t) => {
        const pts = axes.map((a, i) => {
          const v = a === metricAxis ? t.metric_value : t.params[a.key];
          const p = position(a, v);
          return p === null ? null : `${x(i)},${y(p)}`;
        });
        const best = t.id === bestId;
        return (
          <polyline key={t.id} points={pts.filter(Boolean).join(" ")} fill="none" stroke={tone(t.metric_value as number, lo, hi, mode)} strokeWidth={best ? 3.5 : 1.6} opacity={best ? 1 : 0.75} data-testid="pc-line">
            <title>
              {Object.entries(t.params)
                .map(([k, v]) => `${k}=${label(v as number | string)}`)
                .join(", ")}
              {` → ${metric} ${formatNumber(t.metric_value, 4)}`}
            </title>
          </polyline>
        );
      })}
    </svg>
  );
}

/** One small scatter per searched key: the metric (y) against the parameter's value (x). */
export function MetricVsParams({ trials, searchSpace, metric, mode, bestId }: { trials: Trial[]; searchSpace: Record<string, unknown>; metric: string; mode: string; bestId: string | null }) {
  const done = trials.filter((t) => typeof t.metric_value === "number" && Number.isFinite(t.metric_value));
  if (done.length < 2) return null;
  const metrics = done.map((t) => t.metric_value as number);
  const metricAxis: Axis = { key: metric, kind: "linear", values: metrics };
  const [lo, hi] = [Math.min(...metrics), Math.max(...metrics)];
  const w = 240;
  const h = 160;
  const p = { l: 46, r: 10, t: 10, b: 30 };
  return (
    <div className="scatter-grid">
      {axesOf(searchSpace, done).map((a) => (
        <svg key={a.key} className="sweep-plot" viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`${metric} against ${a.key}`} data-testid="metric-vs-param">
          <line x1={p.l} x2={w - p.r} y1={h - p.b} y2={h - p.b} className="axis-line" />
          <line x1={p.l} x2={p.l} y1={p.t} y2={h - p.b} className="axis-line" />
          <text x={(w + p.l) / 2} y={h - 6} textAnchor="middle" className="axis-name">
            {a.key}
            {a.kind === "log" ? " (log)" : ""}
          </text>
          <text x={4} y={p.t + 8} className="axis-tick">
            {label(hi)}
          </text>
          <text x={4} y={h - p.b} className="axis-tick">
            {label(lo)}
          </text>
          <text x={p.l} y={h - p.b + 12} className="axis-tick">
            {ends(a)[0]}
          </text>
          <text x={w - p.r} y={h - p.b + 12} textAnchor="end" className="axis-tick">
            {ends(a)[1]}
          </text>
          {done.map((t) => {
            const px = position(a, t.params[a.key]);
            const py = position(metricAxis, t.metric_value);
            if (px === null || py === null) return null;
            return (
              <circle
                key={t.id}
                cx={p.l + 6 + px * (w - p.l - p.r - 12)}
                cy={h - p.b - 6 - py * (h - p.t - p.b - 12)}
                r={t.id === bestId ? 6 : 4}
                fill={tone(t.metric_value as number, lo, hi, mode)}
                stroke={t.id === bestId ? "#1b1f24" : "none"}
              >
                <title>{`${a.key}=${label(t.params[a.key] as number | string)} → ${metric} ${formatNumber(t.metric_value, 4)}`}</title>
              </circle>
            );
          })}
        </svg>
      ))}
    </div>
  );
}
