import { QueryView, type QueryLike } from "../../../components/ui/States";
import type { TraceScore } from "../api";

/** A scorer's result: the score in its range, and why. */
export function ScoreLine({ score }: { score: TraceScore }) {
  const ratio = (score.score - (score.min_score ?? 0)) / ((score.max_score ?? 1) - (score.min_score ?? 0) || 1);
  const tone = ratio >= 0.999 ? "badge-ok" : ratio >= 0.5 ? "badge-warn" : "badge-bad";
  return (
    <div className="score" data-testid={`score-${score.scorer}`}>
      <div className="score-head">
        <span className="mono">{score.scorer}</span>
        <span className={`badge ${tone}`}>{score.score.toFixed(3)}</span>
      </div>
      <div className="muted small-text">{score.reason}</div>
    </div>
  );
}

/** A score query: scoring…, its failure, or the score. */
export function ScoreSlot({ state }: { state: QueryLike<TraceScore> }) {
  return (
    <QueryView query={state} loadingLabel="Scoring…" errorTitle="Scoring failed">
      {(score) => <ScoreLine score={score} />}
    </QueryView>
  );
}
