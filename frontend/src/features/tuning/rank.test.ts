import { describe, expect, it } from "vitest";
import type { Trial } from "./api";
import { axesOf, position, rankTrials } from "./rank";

const t = (id: string, metric: number | null, params: Record<string, unknown> = {}): Trial => ({
  id,
  ray_trial_id: id,
  params,
  run_id: null,
  started_at: null,
  run_finished_at: null,
  status: metric === null ? "failed" : "succeeded",
  metric_value: metric,
  error: null,
  created_at: "2026-01-01T00:00:00Z",
  finished_at: null,
});

describe("rankTrials", () => {
  it("ranks on the metric (min: lowest first), unscored trials last in sampling order", () => {
    const r = rankTrials([t("a", 3.5), t("b", null), t("c", 3.3)], "min");
    expect(r.map((x) => [x.trial.id, x.rank, x.number])).toEqual([
      ["c", 1, 3],
      ["a", 2, 1],
      ["b", null, 2],
    ]);
    expect(rankTrials([t("a", 0.2), t("c", 0.7)], "max")[0]!.trial.id).toBe("c");
  });
});

describe("axes", () => {
  it("puts loguniform keys on a log axis and strings on a category axis", () => {
    const trials = [t("a", 1, { lr: 0.001, opt: "sgd" }), t("b", 2, { lr: 0.1, opt: "adamw" })];
    const [lr, opt] = axesOf({ lr: { type: "loguniform" }, opt: { type: "choice" } }, trials);
    expect(lr!.kind).toBe("log");
    expect(opt!.kind).toBe("category");
    expect(position(lr!, 0.01)).toBeCloseTo(0.5);
    expect(position(opt!, "sgd")).toBe(1);
  });
});
