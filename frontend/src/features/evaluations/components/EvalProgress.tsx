import { ProgressBar } from "../../runs/components/RunProgress";
import { formatSeconds } from "../../runs/progress";
import type { Evaluation } from "../api";

/** Items generated and judged of the total, with the ETA, while the evaluation runs. */
export function EvalProgress({ evaluation }: { evaluation: Evaluation }) {
  const p = evaluation.progress;
  if (!p) return null;
  const fraction = p.total ? (p.generated + p.judged) / (2 * p.total) : null;
  return (
    <div className="run-progress" data-testid="eval-progress">
      <div className="run-progress-words">
        <strong>
          {p.generated} / {p.total} generated
        </strong>
        <span>
          {p.judged} / {p.total} judged
        </span>
        <span className="muted">{p.phase}</span>
        <span>ETA {formatSeconds(p.eta_s)}</span>
      </div>
      <ProgressBar fraction={fraction} label="Evaluation progress" />
    </div>
  );
}
