// Pure helpers of the GRPO run page: which curves a run's metrics hold, under TRL's names.
import type { ChartSeries } from "../../components/ui/chartData";
import type { Metrics } from "../runs/api";

/** One chart of the RL panel: its title, y label and series (only charts with points are listed). */
export type RlChart = { id: string; title: string; yLabel: string; series: ChartSeries[] };

const MEAN_COLOR = "#2f5bea";

type Point = { x: number; y: number };

function points(metrics: Metrics | undefined, key: string): Point[] {
  return (metrics?.series[`train/${key}`] ?? []).filter((p) => p.step !== null).map((p) => ({ x: p.step as number, y: p.value }));
}

const line = (label: string, pts: Point[], extra: Partial<ChartSeries> = {}): ChartSeries[] => (pts.length ? [{ label, points: pts, ...extra }] : []);

/** reward (the mean weighted reward) with reward ± reward_std as dashed bounds, step by step. */
export function rewardBand(metrics: Metrics | undefined): ChartSeries[] {
  const mean = points(metrics, "reward");
  const std = new Map(points(metrics, "reward_std").map((p) => [p.x, p.y]));
  const withStd = mean.filter((p) => std.has(p.x));
  const bound = (sign: 1 | -1) => withStd.map((p) => ({ x: p.x, y: p.y + sign * (std.get(p.x) as number) }));
  return [
    ...line("reward mean", mean, { color: MEAN_COLOR }),
    ...line("mean + std", bound(1), { color: MEAN_COLOR, dash: [6, 4] }),
    ...line("mean − std", bound(-1), { color: MEAN_COLOR, dash: [6, 4] }),
  ];
}

/** The judges a run logged rewards for (`rewards/<judge>/mean`), in the order first seen. */
export function judgesOf(metrics: Metrics | undefined): string[] {
  const out: string[] = [];
  for (const key of Object.keys(metrics?.series ?? {})) {
    const m = /^train\/rewards\/(.+)\/mean$/.exec(key);
    if (m && !out.includes(m[1]!)) out.push(m[1]!);
  }
  return out;
}

/** Every RL chart the metrics have points for: reward ± std, per-judge rewards, KL, length, clipped ratio, zero-std fraction. */
export function rlCharts(metrics: Metrics | undefined): RlChart[] {
  const charts: RlChart[] = [
    { id: "reward", title: "Reward (mean ± std)", yLabel: "reward", series: rewardBand(metrics) },
    { id: "judges", title: "Reward per judge", yLabel: "judge reward", series: judgesOf(metrics).flatMap((j) => line(j, points(metrics, `rewards/${j}/mean`))) },
    { id: "kl", title: "KL to the reference", yLabel: "kl", series: line("kl", points(metrics, "kl")) },
    { id: "length", title: "Completion length", yLabel: "tokens", series: line("mean length", points(metrics, "completions/mean_length")) },
    { id: "clipped", title: "Clipped ratio", yLabel: "share", series: line("clipped ratio", points(metrics, "completions/clipped_ratio")) },
    { id: "zero_std", title: "Zero-std groups", yLabel: "share", series: line("frac_reward_zero_std", points(metrics, "frac_reward_zero_std")) },
  ];
  return charts.filter((c) => c.series.length > 0);
}
