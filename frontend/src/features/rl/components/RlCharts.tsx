import { useMemo } from "react";
import { Card } from "../../../components/ui/Page";
import { LineChart } from "../../../components/ui/LineChart";
import { Empty, QueryView, type QueryLike } from "../../../components/ui/States";
import type { Metrics } from "../../runs/api";
import { rlCharts } from "../charts";

/** A GRPO run's live curves (TRL's metric names): reward ± std, per-judge rewards, KL, length, clipped and zero-std shares. */
export function RlCharts({ state }: { state: QueryLike<Metrics> }) {
  const charts = useMemo(() => rlCharts(state.data), [state.data]);
  return (
    <QueryView
      query={state}
      loadingLabel="Loading metrics…"
      errorTitle="Could not load metrics"
      isEmpty={() => charts.length === 0}
      empty={<Empty title="No rewards yet">The reward curves appear after the first logged step.</Empty>}
    >
      {() => (
        <div className="grid grid-2" data-testid="rl-charts">
          {charts.map((c) => (
            <Card key={c.id} title={c.title}>
              <LineChart series={c.series} xLabel="step" yLabel={c.yLabel} height={200} />
            </Card>
          ))}
        </div>
      )}
    </QueryView>
  );
}
