import { formatNumber } from "../../../lib/format";
import type { RunProgressInfo } from "../api";
import { formatSeconds } from "../progress";

/** A progress bar with its words: step X / Y (or elapsed of the time budget), ETA and tokens/s. */
export function ProgressBar({ fraction, label }: { fraction: number | null; label: string }) {
  const pct = fraction === null ? null : Math.round(fraction * 100);
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct ?? undefined}>
      <div style={{ width: `${pct ?? 0}%` }} />
    </div>
  );
}

/** The training loop's own time (the run's Duration also counts start-up): tenths under 10 s. */
function trainingTime(s: number | null): string {
  return s !== null && Number.isFinite(s) && s < 10 ? `${s.toFixed(1)}s` : formatSeconds(s);
}

/** Training progress of a run (GET /api/tunix/runs/{id}/progress, from its latest logged step). */
export function RunProgress({ progress: p, active }: { progress: RunProgressInfo; active: boolean }) {
  const step = p.step ?? 0;
  const stepText = p.total_steps ? `step ${step.toLocaleString()} / ${p.total_steps.toLocaleString()}` : `step ${step.toLocaleString()}`;
  const budgetText = p.time_budget_s ? `${formatSeconds(p.elapsed_s)} of ${formatSeconds(p.time_budget_s)} budget` : null;
  return (
    <div className="run-progress" data-testid="train-progress">
      <div className="run-progress-words">
        <strong>{stepText}</strong>
        {budgetText ? <span>{budgetText}</span> : null}
        {active ? <span>ETA {formatSeconds(p.eta_s)}</span> : <span>training took {trainingTime(p.elapsed_s)}</span>}
        <span>{p.tokens_per_s !== null ? `${formatNumber(Math.round(p.tokens_per_s))} tokens/s` : "— tokens/s"}</span>
      </div>
      <ProgressBar fraction={p.fraction} label="Training progress" />
    </div>
  );
}
