const TONE: Record<string, string> = {
  succeeded: "badge-ok",
  failed: "badge-bad",
  cancelled: "badge-muted",
  cancel_requested: "badge-warn",
  running: "badge-info",
  queued: "badge-muted",
};

/** A run's status as a coloured badge. */
export function RunStatus({ status }: { status: string }) {
  return (
    <span className={`badge ${TONE[status] ?? "badge-muted"}`} data-testid="run-status">
      {status.replace("_", " ")}
    </span>
  );
}
