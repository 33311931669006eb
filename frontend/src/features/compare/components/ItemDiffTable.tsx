import { useMemo, useState } from "react";
import { Pagination } from "../../../components/ui/Pagination";
import { Tabs } from "../../../components/ui/Tabs";
import { bothQueries, Empty, QueryView } from "../../../components/ui/States";
import { truncate } from "../../../lib/format";
import { useEvaluationItems, type ItemDiff, type ItemResult } from "../api";
import { OUTCOMES, countOutcomes, pairItems, type Outcome } from "../itemDiff";

const PAGE = 25;
const BADGE: Record<Outcome, string> = { fixed: "badge-ok", broken: "badge-bad", both_right: "badge-info", both_wrong: "badge-muted", skipped: "badge-warn" };

function Prediction({ item }: { item: ItemResult }) {
  return (
    <td>
      <div className="pred-answer mono">{item.extracted ?? <span className="muted">no answer</span>}</div>
      {item.prediction.trim() ? <pre className="pred">{item.prediction.trim()}</pre> : <span className="muted small-text">(blank generation)</span>}
      {item.truncated ? <span className="badge badge-warn">truncated</span> : null}
    </td>
  );
}

/** The eval set's items with both runs' predictions side by side, filtered by outcome. */
export function ItemDiffTable({ diff }: { diff: ItemDiff }) {
  const ia = useEvaluationItems(diff.evaluation_a);
  const ib = useEvaluationItems(diff.evaluation_b);
  const [tab, setTab] = useState<Outcome | "all">(diff.fixed ? "fixed" : diff.broken ? "broken" : "all");
  const [offset, setOffset] = useState(0);
  const paired = useMemo(() => (ia.data && ib.data ? pairItems(ia.data, ib.data, diff.judge) : []), [ia.data, ib.data, diff.judge]);
  const counts = useMemo(() => countOutcomes(paired), [paired]);
  const shown = paired.filter((p) => tab === "all" || p.outcome === tab);
  const tabs = [...OUTCOMES.filter((o) => o.id !== "skipped" || counts.skipped), { id: "all" as const, label: "All" }].map((o) => ({
    id: o.id,
    label: `${o.label} (${o.id === "all" ? paired.length : counts[o.id]})`,
  }));
  return (
    <QueryView query={bothQueries(ia, ib)} loadingLabel="Loading per-item results…" errorTitle="Could not load the runs' items">
      {() => (
        <>
          <Tabs label="Item outcome" tabs={tabs} value={tab} onChange={(t) => (setTab(t), setOffset(0))} />
          {shown.length === 0 ? (
            <Empty title="No item here" />
          ) : (
            <div className="table-wrap">
              <table className="item-diff">
                <thead>
                  <tr>
                    <th>Item</th>
                    <th>Expected</th>
                    <th>
                      <span className="swatch swatch-a" aria-hidden="true" />A prediction
                    </th>
                    <th>
                      <span className="swatch swatch-b" aria-hidden="true" />B prediction
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {shown.slice(offset, offset + PAGE).map((p) => (
                    <tr key={p.id} className={`outcome-${p.outcome}`} data-testid="item-row">
                      <td style={{ maxWidth: 320 }}>
                        <div className="mono small-text">
                          {p.id} <span className={`badge ${BADGE[p.outcome]}`}>{OUTCOMES.find((o) => o.id === p.outcome)?.label}</span>
                        </div>
                        <div title={p.prompt}>{truncate(p.prompt, 140)}</div>
                      </td>
                      <td className="mono">{p.expected}</td>
                      <Prediction item={p.a} />
                      <Prediction item={p.b} />
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {shown.length > PAGE ? (
            <Pagination page={{ offset, limit: PAGE, next_offset: offset + PAGE < shown.length ? offset + PAGE : null, total: shown.length }} shown={Math.min(PAGE, shown.length - offset)} onChange={setOffset} />
          ) : null}
        </>
      )}
    </QueryView>
  );
}
