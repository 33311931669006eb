import type { Trace } from "../api";

export type StepMark = { index: number; message: string };

/** The steps of a trace in order, with wrong steps marked by the step checker's message. */
export function TraceSteps({ steps, marks = [] }: { steps: Trace["steps"]; marks?: StepMark[] }) {
  const ordered = [...steps].sort((a, b) => a.i - b.i);
  const byIndex = new Map(marks.map((m) => [m.index, m.message]));
  return (
    <ol className="steps">
      {ordered.map((step) => {
        const mark = byIndex.get(step.i);
        return (
          <li key={step.i} className={mark ? "step step-wrong" : "step"} data-testid="trace-step">
            <div className="step-head">
              <span className="step-index">#{step.i}</span>
              <span className="tag">{step.type}</span>
              {mark ? (
                <span className="badge badge-bad" title={mark}>
                  wrong
                </span>
              ) : null}
            </div>
            <pre className="mono step-body">{step.content}</pre>
            {mark ? <div className="step-mark">{mark}</div> : null}
          </li>
        );
      })}
    </ol>
  );
}
