import type { TraceComparison } from "../api";

type Step = TraceComparison["base"]["steps"][number];

function Cell({ steps, tone }: { steps: Step[]; tone: string }) {
  if (!steps.length) return <td className="diff-empty" />;
  return (
    <td className={tone}>
      {steps.map((s) => (
        <div key={s.i} className="mono diff-step">
          <span className="step-index">#{s.i}</span> {s.content}
        </div>
      ))}
    </td>
  );
}

const TONE: Record<string, [string, string]> = {
  equal: ["", ""],
  replace: ["diff-del", "diff-add"],
  delete: ["diff-del", ""],
  insert: ["", "diff-add"],
};

/** Two step lists aligned by a content diff: changed steps tinted, missing ones blank. */
export function StepDiffTable({ diff }: { diff: TraceComparison["step_diff"] }) {
  return (
    <div className="table-wrap">
      <table className="diff">
        <thead>
          <tr>
            <th>Op</th>
            <th>Base</th>
            <th>Other</th>
          </tr>
        </thead>
        <tbody>
          {diff.map((d, n) => {
            const [left, right] = TONE[d.op] ?? ["", ""];
            return (
              <tr key={n} data-testid={`diff-${d.op}`}>
                <td className="muted">{d.op}</td>
                <Cell steps={d.base} tone={left} />
                <Cell steps={d.other} tone={right} />
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
