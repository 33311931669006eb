import { Empty } from "../../../components/ui/States";
import type { Comparison } from "../api";

const show = (v: unknown) => (v === null || v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));

/** Config keys whose values differ between the two runs (dotted paths into nested settings). */
export function ConfigDiffTable({ diff }: { diff: Comparison["config_diff"] }) {
  if (!diff.length) return <Empty title="Same config">The two runs were trained with identical settings.</Empty>;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th>Key</th>
            <th>
              <span className="swatch swatch-a" aria-hidden="true" />A
            </th>
            <th>
              <span className="swatch swatch-b" aria-hidden="true" />B
            </th>
          </tr>
        </thead>
        <tbody>
          {diff.map((c) => (
            <tr key={c.key} data-testid="config-change">
              <td className="mono">{c.key}</td>
              <td className="mono diff-del">{show(c.a)}</td>
              <td className="mono diff-add">{show(c.b)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
