import { useMemo } from "react";
import { Card } from "../../../components/ui/Page";
import { LineChart, type ChartSeries } from "../../../components/ui/LineChart";
import { Empty, ErrorBox, Loading } from "../../../components/ui/States";
import type { Metrics } from "../api";

/** The points of one `event/name` series, by step. */
export function seriesOf(metrics: Metrics | undefined, key: string, label = key): ChartSeries | null {
  const points = (metrics?.series[key] ?? []).filter((p) => p.step !== null).map((p) => ({ x: p.step as number, y: p.value }));
  return points.length ? { label, points } : null;
}

/** Loss (train and eval) and learning-rate curves, redrawn as metrics arrive. */
export function RunCharts({ state }: { state: { isPending: boolean; isError: boolean; error: unknown; data?: Metrics } }) {
  const metrics = state.data;
  const loss = useMemo(
    () => [seriesOf(metrics, "train/loss", "train loss"), seriesOf(metrics, "eval/eval_loss", "eval loss") ?? seriesOf(metrics, "eval/loss", "eval loss")].filter((s): s is ChartSeries => s !== null),
    [metrics],
  );
  const lr = useMemo(() => [seriesOf(metrics, "train/lr", "learning rate")].filter((s): s is ChartSeries => s !== null), [metrics]);
  if (state.isPending) return <Loading label="Loading metrics…" />;
  if (state.isError) return <ErrorBox error={state.error} title="Could not load metrics" />;
  if (!loss.length && !lr.length) return <Empty title="No metrics yet">Curves appear after the first logged step.</Empty>;
  return (
    <div className="grid grid-2">
      <Card title="Loss">{loss.length ? <LineChart series={loss} xLabel="step" yLabel="loss" /> : <Empty title="No loss yet" />}</Card>
      <Card title="Learning rate">{lr.length ? <LineChart series={lr} xLabel="step" yLabel="lr" /> : <Empty title="No learning rate yet" />}</Card>
    </div>
  );
}
