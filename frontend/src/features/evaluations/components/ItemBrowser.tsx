import { evalItemInSectionAnyOf0Values } from "../../../client/schema";
import { FilterHint, FilterInput } from "../../../components/ui/FilterInput";
import { Pagination } from "../../../components/ui/Pagination";
import { Empty, QueryView } from "../../../components/ui/States";
import { intParam, useDebouncedParam, useQueryState } from "../../../lib/searchParams";
import { isEvaluating } from "../../leaderboard/api";
import { useItems, type Evaluation, type ItemParams } from "../api";
import { ItemCard } from "./ItemCard";

const PAGE = 20;
const FILTER_KEYS = ["q", "label", "judge", "section", "category", "truncated", "correct"] as const;

/**
 * Every item of one evaluation, filtered by label (of the chosen judge), judge, section, category,
 * truncation and a text search; the filters live in the URL.
 */
export function ItemBrowser({ evaluation }: { evaluation: Evaluation }) {
  const [params, update] = useQueryState();
  const [q, setQ] = useDebouncedParam(params, update, "q");
  const offset = intParam(params.get("offset"), 0);
  const judge = params.get("judge") || evaluation.primary_judge;
  const card = evaluation.scorecard?.judges[judge];
  const labels = Object.entries(card?.labels ?? {});
  const categories = Object.keys(evaluation.scorecard?.judges[evaluation.primary_judge]?.by_category ?? {});
  const query: ItemParams = {
    limit: PAGE,
    offset,
    search: params.get("q")?.trim() || undefined,
    label: params.get("label") || undefined,
    section: params.get("section") || undefined,
    category: params.get("category")?.trim() || undefined,
    correct: params.get("correct") ? params.get("correct") === "1" : undefined,
  };
  if (params.get("judge")) query.judge = params.get("judge");
  if (params.get("truncated")) query.truncated = params.get("truncated") === "1";
  const items = useItems(evaluation.id, query, isEvaluating(evaluation.status));
  const filtered = FILTER_KEYS.some((k) => params.get(k));
  const select = (key: string, value: string) => update({ [key]: value || null, offset: null });
  return (
    <div className="stack">
      <div className="toolbar" role="search" aria-label="Item filters">
        <label className="grow">
          Search
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Text in prompt, prediction or answer" />
        </label>
        <label>
          Judge
          <select value={params.get("judge") ?? ""} onChange={(e) => update({ judge: e.target.value || null, label: null, offset: null })}>
            <option value="">{evaluation.primary_judge} (primary)</option>
            {evaluation.judges
              .filter((j) => j !== evaluation.primary_judge)
              .map((j) => (
                <option key={j} value={j}>
                  {j}
                </option>
              ))}
          </select>
        </label>
        <label>
          Label
          <select value={params.get("label") ?? ""} onChange={(e) => select("label", e.target.value)}>
            <option value="">any</option>
            {labels.map(([l, n]) => (
              <option key={l} value={l}>
                {l} ({n})
              </option>
            ))}
          </select>
        </label>
        <label>
          Right or wrong
          <select value={params.get("correct") ?? ""} onChange={(e) => select("correct", e.target.value)}>
            <option value="">either</option>
            <option value="1">right</option>
            <option value="0">wrong</option>
          </select>
        </label>
        <label>
          Section
          <select value={params.get("section") ?? ""} onChange={(e) => select("section", e.target.value)}>
            <option value="">any</option>
            {evalItemInSectionAnyOf0Values.map((s) =>
              s ? (
                <option key={s} value={s}>
                  {s}
                </option>
              ) : null,
            )}
          </select>
        </label>
        <FilterInput params={params} update={update} name="category" label="Category" list="item-categories" />
        <datalist id="item-categories">
          {categories.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <label>
          Truncated
          <select value={params.get("truncated") ?? ""} onChange={(e) => select("truncated", e.target.value)}>
            <option value="">either</option>
            <option value="1">truncated only</option>
            <option value="0">not truncated</option>
          </select>
        </label>
        <FilterHint />
      </div>
      <QueryView
        query={items}
        errorTitle="Could not list the items"
        empty={
          <Empty title={filtered ? "No item matches these filters" : isEvaluating(evaluation.status) ? "No items judged yet" : "No items"}>
            {isEvaluating(evaluation.status) ? "Items appear as they are judged." : null}
          </Empty>
        }
      >
        {(page) => (
          <>
            <div className="stack" data-testid="eval-items">
              {page.data.map((item) => (
                <ItemCard key={item.item_id} item={item} judges={[judge, ...evaluation.judges.filter((j) => j !== judge)]} />
              ))}
            </div>
            <Pagination page={page.pagination} shown={page.data.length} onChange={(o) => update({ offset: o || null })} />
          </>
        )}
      </QueryView>
    </div>
  );
}
