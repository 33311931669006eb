import { useState } from "react";
import { useNavigate } from "react-router";
import { Card, PageHeader } from "../../components/ui/Page";
import { ErrorBox } from "../../components/ui/States";
import { Tabs } from "../../components/ui/Tabs";
import { useCreateTrace, type TraceCreate } from "../../features/traces/api";
import { TraceForm } from "../../features/traces/components/TraceForm";
import { TraceJsonForm } from "../../features/traces/components/TraceJsonForm";

type Mode = "form" | "json";

/** Add traces: one by form or JSON. */
export function TraceNewPage() {
  const [mode, setMode] = useState<Mode>("form");
  const navigate = useNavigate();
  const create = useCreateTrace();
  const submit = (body: TraceCreate) => create.mutate(body, { onSuccess: (t) => navigate(`/traces/${t.id}`) });
  return (
    <>
      <PageHeader title="New trace" subtitle="A prompt, ordered reasoning steps and a final answer." />
      <Card>
        <Tabs
          label="How to enter the trace"
          tabs={[
            { id: "form", label: "Form" },
            { id: "json", label: "JSON" },
          ]}
          value={mode}
          onChange={setMode}
        />
        <div role="tabpanel">
          {mode === "form" ? <TraceForm onSubmit={submit} busy={create.isPending} /> : <TraceJsonForm onSubmit={submit} busy={create.isPending} />}
        </div>
        {create.isError ? <ErrorBox error={create.error} title="The server refused the trace" /> : null}
      </Card>
    </>
  );
}
