import { formatNumber } from "../../../lib/format";

const clamp = (x: number) => Math.min(1, Math.max(0, x));

/** A score with its 95% confidence interval, as text and as a bar on a 0–1 scale. */
export function ScoreCI({ score, ci }: { score: number | null | undefined; ci: number[] | null | undefined }) {
  if (score === null || score === undefined) return <span className="muted">—</span>;
  const [low, high] = ci && ci.length === 2 ? (ci as [number, number]) : [null, null];
  const onScale = score >= 0 && score <= 1 && (low === null || (low >= 0 && high !== null && high <= 1));
  const label = low !== null && high !== null ? `${formatNumber(score, 3)}, 95% CI ${formatNumber(low, 3)} to ${formatNumber(high, 3)}` : formatNumber(score, 3);
  return (
    <div className="ci" aria-label={label} title={label}>
      <span className="ci-text">
        <strong>{formatNumber(score, 3)}</strong>
        {low !== null && high !== null ? (
          <span className="muted small-text">
            {" "}
            [{formatNumber(low, 3)}, {formatNumber(high, 3)}]
          </span>
        ) : null}
      </span>
      {onScale ? (
        <span className="ci-bar" aria-hidden="true">
          {low !== null && high !== null ? <span className="ci-range" style={{ left: `${clamp(low) * 100}%`, width: `${(clamp(high) - clamp(low)) * 100}%` }} /> : null}
          <span className="ci-point" style={{ left: `${clamp(score) * 100}%` }} />
        </span>
      ) : null}
    </div>
  );
}
