import { describe, expect, it } from "vitest";
import type { Metrics } from "../runs/api";
import { judgesOf, rewardBand, rlCharts } from "./charts";

const pts = (...values: number[]) => values.map((value, i) => ({ step: i + 1, value, ts: "2026-12-04T00:00:00Z" }));
const metrics = (series: Record<string, ReturnType<typeof pts>>): Metrics => ({ run_id: "r", series, events: [] }) as unknown as Metrics;

describe("rewardBand", () => {
  it("draws the mean and mean ± std at the steps both were logged", () => {
    const m = metrics({ "train/reward": pts(0.5, 1), "train/reward_std": pts(0.25) });
    const [mean, hi, lo] = rewardBand(m);
    expect(mean?.points).toEqual([{ x: 1, y: 0.5 }, { x: 2, y: 1 }]);
    expect(hi).toMatchObject({ label: "mean + std", points: [{ x: 1, y: 0.75 }], dash: [6, 4] });
    expect(lo?.points).toEqual([{ x: 1, y: 0.25 }]);
  });

  it("is empty before the first reward", () => {
    expect(rewardBand(metrics({}))).toEqual([]);
  });
});

describe("rlCharts", () => {
  it("lists the charts of TRL's names that have points, one line per judge", () => {
    const m = metrics({
      "train/reward": pts(0.5),
      "train/reward_std": pts(0.1),
      "train/rewards/answer_correctness/mean": pts(0, 1),
      "train/rewards/answer_correctness/std": pts(0, 0),
      "train/rewards/step_check/mean": pts(0.5, 0.5),
      "train/completions/mean_length": pts(12, 14),
      "train/completions/clipped_ratio": pts(0.5, 0.25),
      "train/frac_reward_zero_std": pts(1, 0),
      "train/loss": pts(0.1, 0.2),
    });
    const charts = rlCharts(m);
    expect(charts.map((c) => c.id)).toEqual(["reward", "judges", "length", "clipped", "zero_std"]); // no kl: beta 0 logs none
    expect(charts.find((c) => c.id === "judges")?.series.map((s) => s.label)).toEqual(["answer_correctness", "step_check"]);
    expect(judgesOf(m)).toEqual(["answer_correctness", "step_check"]);
  });

  it("adds KL when the run logged it", () => {
    expect(rlCharts(metrics({ "train/kl": pts(0.01, 0.02) })).map((c) => c.id)).toEqual(["kl"]);
  });
});
