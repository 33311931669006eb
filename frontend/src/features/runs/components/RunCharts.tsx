import { useMemo } from "react";
import { Card } from "../../../components/ui/Page";
import { LineChart, type ChartSeries } from "../../../components/ui/LineChart";
import { Empty, QueryView, type QueryLike } from "../../../components/ui/States";
import type { Metrics } from "../api";

/** The points of one `event/name` series, by step. */
export function seriesOf(metrics: Metrics | undefined, key: string, label = key): ChartSeries | null {
  const points = (metrics?.series[key] ?? []).filter((p) => p.step !== null).map((p) => ({ x: p.step as number, y: p.value }));
  return points.length ? { label, points } : null;
}

/** The run's eval-loss curve (the trainer logs `eval` events with `eval_loss`). */
export const evalLossOf = (metrics: Metrics | undefined, label = "eval loss") => seriesOf(metrics, "eval/eval_loss", label) ?? seriesOf(metrics, "eval/loss", label);

/** An RL run's reward curve (the first `…/reward…` series it logged), if any. */
export function rewardOf(metrics: Metrics | undefined, label = "reward"): ChartSeries | null {
  const key = Object.keys(metrics?.series ?? {}).find((k) => k.startsWith("train/") && /reward/.test(k));
  return key ? seriesOf(metrics, key, label) : null;
}

const present = (s: ChartSeries | null): s is ChartSeries => s !== null;

/** Loss (train and eval), learning-rate and (for RL runs) reward curves, redrawn as metrics arrive. */
export function RunCharts({ state }: { state: QueryLike<Metrics> }) {
  const metrics = state.data;
  const loss = useMemo(() => [seriesOf(metrics, "train/loss", "train loss"), evalLossOf(metrics)].filter(present), [metrics]);
  const lr = useMemo(() => [seriesOf(metrics, "train/lr", "learning rate")].filter(present), [metrics]);
  const reward = useMemo(() => [rewardOf(metrics)].filter(present), [metrics]);
  return (
    <QueryView
      query={state}
      loadingLabel="Loading metrics…"
      errorTitle="Could not load metrics"
      isEmpty={() => !loss.length && !lr.length && !reward.length}
      empty={<Empty title="No metrics yet">Curves appear after the first logged step.</Empty>}
    >
      {() => (
        <div className="grid grid-2">
          <Card title="Loss">{loss.length ? <LineChart series={loss} xLabel="step" yLabel="loss" /> : <Empty title="No loss yet" />}</Card>
          <Card title="Learning rate">{lr.length ? <LineChart series={lr} xLabel="step" yLabel="lr" /> : <Empty title="No learning rate yet" />}</Card>
          {reward.length ? (
            <Card title="Reward">
              <LineChart series={reward} xLabel="step" yLabel="reward" />
            </Card>
          ) : null}
        </div>
      )}
    </QueryView>
  );
}
