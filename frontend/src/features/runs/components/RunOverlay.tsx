import { useState } from "react";
import { LineChart, type ChartSeries } from "../../../components/ui/LineChart";
import { Card } from "../../../components/ui/Page";
import { Empty, Loading } from "../../../components/ui/States";
import { Tabs } from "../../../components/ui/Tabs";
import { shortId } from "../../../lib/format";
import { useManyRunMetrics, type Metrics, type Run } from "../api";
import { evalLossOf, rewardOf, seriesOf } from "./RunCharts";

const COLORS = ["#2f5bea", "#e0761c", "#1a7f4b", "#b33dc6", "#c62f2f", "#0f8a9d", "#7a5c00", "#5b6b7f", "#d43f8d", "#3c9d3c"];

type Curve = "loss" | "eval_loss" | "lr" | "reward";
const CURVES: { id: Curve; label: string; y: string; of: (m: Metrics | undefined, label: string) => ChartSeries | null }[] = [
  { id: "loss", label: "Loss", y: "loss", of: (m, l) => seriesOf(m, "train/loss", l) },
  { id: "eval_loss", label: "Eval loss", y: "eval loss", of: (m, l) => evalLossOf(m, l) },
  { id: "lr", label: "Learning rate", y: "lr", of: (m, l) => seriesOf(m, "train/lr", l) },
  { id: "reward", label: "Reward", y: "reward", of: (m, l) => rewardOf(m, l) },
];

/** The curves of the selected runs overlaid on one chart, one colour per run; tabs pick the curve. */
export function RunOverlay({ runs, onClear }: { runs: Run[]; onClear: () => void }) {
  const [curve, setCurve] = useState<Curve>("loss");
  const metrics = useManyRunMetrics(runs.map((r) => r.id));
  const pending = metrics.some((m) => m.isPending);
  const def = CURVES.find((c) => c.id === curve)!;
  const series: ChartSeries[] = [];
  runs.forEach((r, i) => {
    const s = def.of(metrics[i]?.data, r.name || shortId(r.id));
    if (s) series.push({ ...s, color: COLORS[i % COLORS.length] });
  });
  const missing = runs.length - series.length;
  return (
    <Card
      title={`Curves of ${runs.length} selected run${runs.length === 1 ? "" : "s"}`}
      actions={
        <button type="button" className="btn btn-ghost" onClick={onClear}>
          Clear selection
        </button>
      }
    >
      <div data-testid="run-overlay">
        <Tabs label="Curve" tabs={CURVES.map((c) => ({ id: c.id, label: c.label }))} value={curve} onChange={setCurve} />
        {pending ? <Loading label="Loading metrics…" /> : null}
        {!pending && !series.length ? <Empty title={`No ${def.label.toLowerCase()} logged`}>None of the selected runs logged this curve.</Empty> : null}
        {series.length ? <LineChart series={series} xLabel="step" yLabel={def.y} height={280} /> : null}
        {!pending && series.length && missing ? (
          <p className="muted small-text">
            {missing} of the selected runs logged no {def.label.toLowerCase()}.
          </p>
        ) : null}
      </div>
    </Card>
  );
}
