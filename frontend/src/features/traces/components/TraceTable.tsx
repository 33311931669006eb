import { Link } from "react-router";
import { formatTime, shortId, truncate } from "../../../lib/format";
import type { Trace } from "../api";

function metaText(meta: Trace["meta"], key: string): string {
  const v = meta?.[key];
  return typeof v === "string" || typeof v === "number" ? String(v) : "";
}

/**
 * One page of traces; the checkbox picks traces to compare. The Source column shows `meta.source`,
 * the value the Source filter matches (a generator's name, when there is one, beside it); a click
 * on a category or source filters by it.
 */
export function TraceTable({
  traces,
  picked,
  onPick,
  onFilter,
}: {
  traces: Trace[];
  picked: string[];
  onPick: (id: string) => void;
  onFilter?: (key: "source" | "category", value: string) => void;
}) {
  const chip = (key: "source" | "category", value: string) =>
    onFilter ? (
      <button type="button" className="tag tag-button" title={`Filter by ${key} ${value}`} onClick={() => onFilter(key, value)}>
        {value}
      </button>
    ) : (
      <span className="tag">{value}</span>
    );
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th aria-label="Pick" />
            <th>Trace</th>
            <th>Prompt</th>
            <th className="num">Steps</th>
            <th>Answer</th>
            <th>Category</th>
            <th>Source</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {traces.map((t) => (
            <tr key={t.id} data-testid="trace-row">
              <td>
                <input
                  type="checkbox"
                  aria-label={`Pick trace ${shortId(t.id)} to compare`}
                  checked={picked.includes(t.id)}
                  onChange={() => onPick(t.id)}
                />
              </td>
              <td className="mono">
                <Link to={`/traces/${t.id}`}>{shortId(t.id)}</Link>
              </td>
              <td>{truncate(t.prompt, 90)}</td>
              <td className="num">{t.steps.length}</td>
              <td className="mono">{truncate(t.final_answer, 24)}</td>
              <td>{metaText(t.meta, "category") ? chip("category", metaText(t.meta, "category")) : null}</td>
              <td data-testid="trace-source">
                {metaText(t.meta, "source") ? chip("source", metaText(t.meta, "source")) : <span className="muted">—</span>}
                {metaText(t.meta, "generator") ? <span className="muted small-text"> {metaText(t.meta, "generator")}</span> : null}
              </td>
              <td className="muted nowrap">{formatTime(t.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
