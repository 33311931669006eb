import { Link } from "react-router";
import { PageHeader } from "../components/ui/Page";

/** Any URL the app does not know. */
export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" />
      <p>
        Nothing lives at this address. <Link to="/">Back to the overview</Link>.
      </p>
    </>
  );
}
