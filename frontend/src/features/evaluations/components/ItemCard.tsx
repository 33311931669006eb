import { verdictsOf, verdictTone, wrongStepSpan } from "../verdicts";
import type { ItemResult } from "../api";

/** The prediction with its first wrong step highlighted (a `<mark>`). */
export function Prediction({ text, span }: { text: string; span: [number, number] | null }) {
  if (!text) return <pre className="pred muted">(empty)</pre>;
  if (!span) return <pre className="pred">{text}</pre>;
  const [a, b] = span;
  return (
    <pre className="pred">
      {text.slice(0, a)}
      <mark className="wrong-step" data-testid="wrong-step" title="The first wrong step">
        {text.slice(a, b)}
      </mark>
      {text.slice(b)}
    </pre>
  );
}

/** One evaluated item: prompt, prediction (first wrong step marked), expected answer, every judge's verdict. */
export function ItemCard({ item, judges }: { item: ItemResult; judges: readonly string[] }) {
  const verdicts = verdictsOf(item.verdicts, judges);
  const span = wrongStepSpan(item.prediction, item.first_wrong_step?.span, verdicts);
  const tone = item.score === null ? "muted" : item.score >= 0.5 ? "ok" : "bad";
  return (
    <article className={`item-card item-${tone}`} data-testid="eval-item" aria-label={`Item ${item.item_id}`}>
      <header className="item-head">
        <span className="mono muted">#{item.position + 1}</span>
        <strong className="mono">{item.item_id}</strong>
        <span className={`badge badge-${tone === "muted" ? "muted" : tone}`} data-testid="item-label">
          {item.label}
        </span>
        {item.truncated ? (
          <span className="badge badge-warn" data-testid="item-truncated">
            truncated
          </span>
        ) : null}
        {item.section ? <span className="tag">{item.section}</span> : null}
        {item.category ? <span className="tag">{item.category}</span> : null}
        {item.difficulty ? <span className="tag">{item.difficulty}</span> : null}
      </header>
      <div className="item-body">
        <div>
          <h3>Prompt</h3>
          <pre className="pred">{item.prompt}</pre>
        </div>
        <div>
          <h3>Prediction</h3>
          <Prediction text={item.prediction} span={span} />
        </div>
        <div>
          <h3>Expected</h3>
          <pre className="pred pred-answer" data-testid="item-expected">
            {item.expected}
          </pre>
          <h3 className="section-tight">Extracted</h3>
          <pre className="pred pred-answer">{item.extracted ?? "—"}</pre>
        </div>
      </div>
      <table className="verdicts">
        <thead>
          <tr>
            <th>Judge</th>
            <th className="num">Score</th>
            <th>Verdict</th>
            <th>Method</th>
            <th>Reason</th>
          </tr>
        </thead>
        <tbody>
          {verdicts.map((v) => (
            <tr key={v.judge} data-testid="verdict-row">
              <td className="mono">{v.judge}</td>
              <td className="num">{v.score === null ? "—" : v.score.toFixed(2)}</td>
              <td>
                <span className={`badge badge-${verdictTone(v)}`}>{v.label}</span>
              </td>
              <td className="mono muted">{v.method ?? "—"}</td>
              <td className="small-text">{v.reason || <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}
