import { useMemo } from "react";
import { LineChart, type ChartSeries } from "../../../components/ui/LineChart";
import { Empty, ErrorBox, Loading } from "../../../components/ui/States";
import { useRunMetrics } from "../../runs/api";
import { seriesOf } from "../../runs/components/RunCharts";

const A = "#2f5bea";
const B = "#e0761c";

/** Both runs' training loss (solid) and eval loss (dashed) on one chart. */
export function LossOverlay({ a, b, labelA, labelB }: { a: string; b: string; labelA: string; labelB: string }) {
  const ma = useRunMetrics(a, false);
  const mb = useRunMetrics(b, false);
  const series = useMemo(() => {
    const out: ChartSeries[] = [];
    const add = (s: ChartSeries | null, color: string, dash?: number[]) => s && out.push({ ...s, color, dash });
    add(seriesOf(ma.data, "train/loss", `A train · ${labelA}`), A);
    add(seriesOf(mb.data, "train/loss", `B train · ${labelB}`), B);
    add(seriesOf(ma.data, "eval/loss", `A eval`), A, [6, 4]);
    add(seriesOf(mb.data, "eval/loss", `B eval`), B, [6, 4]);
    return out;
  }, [ma.data, mb.data, labelA, labelB]);
  if (ma.isPending || mb.isPending) return <Loading label="Loading metrics…" />;
  if (ma.isError) return <ErrorBox error={ma.error} title="Could not load run A's metrics" />;
  if (mb.isError) return <ErrorBox error={mb.error} title="Could not load run B's metrics" />;
  if (!series.length) return <Empty title="No loss logged">Neither run logged a training step.</Empty>;
  return <LineChart series={series} xLabel="step" yLabel="loss" height={260} />;
}
