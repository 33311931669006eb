import { createHashRouter } from "react-router";
import { Layout } from "../components/ui/Layout";
import { NotFoundPage } from "./NotFoundPage";
import { OverviewPage } from "./OverviewPage";
import { TraceDetailPage } from "./traces/TraceDetailPage";
import { TraceNewPage } from "./traces/TraceNewPage";

// Hash URLs (/#/traces/…) so every view can be linked while the server serves one static index.html.
export const router = createHashRouter([
  {
    element: <Layout />,
    children: [
      { path: "/", element: <OverviewPage /> },
      { path: "/traces/new", element: <TraceNewPage /> },
      { path: "/traces/:id", element: <TraceDetailPage /> },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);
