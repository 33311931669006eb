import { createHashRouter } from "react-router";
import { Layout } from "../components/ui/Layout";
import { NotFoundPage } from "./NotFoundPage";
import { OverviewPage } from "./OverviewPage";
import { TraceComparePage } from "./traces/TraceComparePage";
import { TraceDetailPage } from "./traces/TraceDetailPage";
import { TraceGeneratePage } from "./traces/TraceGeneratePage";
import { TraceImportPage } from "./traces/TraceImportPage";
import { TraceNewPage } from "./traces/TraceNewPage";
import { TracesPage } from "./traces/TracesPage";

// Hash URLs (/#/traces/…) so every view can be linked while the server serves one static index.html.
export const router = createHashRouter([
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
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);
