import { useState } from "react";
import { Card } from "../../../components/ui/Page";
import type { QueryLike } from "../../../components/ui/States";
import { Tabs } from "../../../components/ui/Tabs";
import type { Metrics } from "../../runs/api";
import { RunCharts } from "../../runs/components/RunCharts";
import { RlCharts } from "./RlCharts";
import { SamplesPanel } from "./SamplesPanel";

type View = "rewards" | "samples" | "loss";

const VIEWS: { id: View; label: string }[] = [
  { id: "rewards", label: "Rewards" },
  { id: "samples", label: "Samples" },
  { id: "loss", label: "Loss and learning rate" },
];

/** A GRPO run's main panel: the live RL curves, what the model said (samples.jsonl), and the loss. */
export function RlRunPanel({ runId, metrics, active }: { runId: string; metrics: QueryLike<Metrics>; active: boolean }) {
  const [view, setView] = useState<View>("rewards");
  return (
    <Card title="GRPO">
      <Tabs tabs={VIEWS} value={view} onChange={setView} label="GRPO views" />
      {view === "rewards" ? <RlCharts state={metrics} /> : null}
      {view === "samples" ? <SamplesPanel runId={runId} active={active} /> : null}
      {view === "loss" ? <RunCharts state={metrics} /> : null}
    </Card>
  );
}
