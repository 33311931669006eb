import { useNavigate } from "react-router";
import "../../components/ui/insights.css";
import { Card, PageHeader } from "../../components/ui/Page";
import { SweepForm } from "../../features/tuning/components/SweepForm";

/** Create a sweep: base run settings, the metric, and the search space. */
export function TuningNewPage() {
  const navigate = useNavigate();
  return (
    <>
      <PageHeader title="New sweep" subtitle="Every key of the search space must be a training config key; the server checks each one." />
      <Card>
        <SweepForm onCreated={(job) => navigate(`/tuning/${job.id}`)} />
      </Card>
    </>
  );
}
