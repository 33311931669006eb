import { useMemo } from "react";
import { LineChart, type ChartSeries } from "../../../components/ui/LineChart";
import { bothQueries, Empty, QueryView } from "../../../components/ui/States";
import { useRunMetrics } from "../../runs/api";
import { evalLossOf, seriesOf } from "../../runs/components/RunCharts";

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
    add(evalLossOf(ma.data, "A eval"), A, [6, 4]);
    add(evalLossOf(mb.data, "B eval"), B, [6, 4]);
    return out;
  }, [ma.data, mb.data, labelA, labelB]);
  return (
    <QueryView
      query={bothQueries(ma, mb)}
      loadingLabel="Loading metrics…"
      errorTitle="Could not load the runs' metrics"
      isEmpty={() => !series.length}
      empty={<Empty title="No loss logged">Neither run logged a training step.</Empty>}
    >
      {() => <LineChart series={series} xLabel="step" yLabel="loss" height={260} />}
    </QueryView>
  );
}
