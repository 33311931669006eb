import { createHashRouter } from "react-router";
import { Layout } from "../components/ui/Layout";
import { ComparePage } from "./compare/ComparePage";
import { DatasetBuildPage } from "./datasets/DatasetBuildPage";
import { DatasetDetailPage } from "./datasets/DatasetDetailPage";
import { DatasetsPage } from "./datasets/DatasetsPage";
import { EvaluationPage } from "./evaluations/EvaluationPage";
import { LeaderboardPage } from "./leaderboard/LeaderboardPage";
import { NotFoundPage } from "./NotFoundPage";
import { OverviewPage } from "./OverviewPage";
import { SignInPage } from "./SignInPage";
import { ModelFamilyPage } from "./registry/ModelFamilyPage";
import { ModelVersionPage } from "./registry/ModelVersionPage";
import { RegistryPage } from "./registry/RegistryPage";
import { RunDetailPage } from "./runs/RunDetailPage";
import { RunNewPage } from "./runs/RunNewPage";
import { RunsPage } from "./runs/RunsPage";
import { TraceComparePage } from "./traces/TraceComparePage";
import { TraceDetailPage } from "./traces/TraceDetailPage";
import { TraceGeneratePage } from "./traces/TraceGeneratePage";
import { TraceImportPage } from "./traces/TraceImportPage";
import { TraceNewPage } from "./traces/TraceNewPage";
import { TracesPage } from "./traces/TracesPage";
import { TuningDetailPage } from "./tuning/TuningDetailPage";
import { TuningNewPage } from "./tuning/TuningNewPage";
import { TuningPage } from "./tuning/TuningPage";

// Hash URLs (/#/traces/…) so every view can be linked while the server serves one static index.html.
export const router = createHashRouter([
  // outside the app frame: the frame asks who is signed in, which answers 401 here
  { path: "/signin", element: <SignInPage /> },
  {
    element: <Layout />,
    children: [
      { path: "/", element: <OverviewPage /> },
      { path: "/traces", element: <TracesPage /> },
      { path: "/traces/new", element: <TraceNewPage /> },
      { path: "/traces/import", element: <TraceImportPage /> },
      { path: "/traces/generate", element: <TraceGeneratePage /> },
      { path: "/traces/compare", element: <TraceComparePage /> },
      { path: "/traces/:id", element: <TraceDetailPage /> },
      { path: "/datasets", element: <DatasetsPage /> },
      { path: "/datasets/build", element: <DatasetBuildPage /> },
      { path: "/datasets/:key", element: <DatasetDetailPage /> },
      { path: "/runs", element: <RunsPage /> },
      { path: "/runs/new", element: <RunNewPage /> },
      { path: "/runs/:id", element: <RunDetailPage /> },
      { path: "/evaluations/:id", element: <EvaluationPage /> },
      { path: "/leaderboard", element: <LeaderboardPage /> },
      { path: "/compare", element: <ComparePage /> },
      { path: "/tuning", element: <TuningPage /> },
      { path: "/tuning/new", element: <TuningNewPage /> },
      { path: "/tuning/:id", element: <TuningDetailPage /> },
      { path: "/registry", element: <RegistryPage /> },
      { path: "/registry/versions/:id", element: <ModelVersionPage /> },
      { path: "/registry/:name", element: <ModelFamilyPage /> },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);
