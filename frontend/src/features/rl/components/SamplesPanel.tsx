import { useState } from "react";
import { Empty, QueryView } from "../../../components/ui/States";
import { useRunSamples, type PromptSample, type SampleCompletion } from "../api";
import { markWrongStep } from "../wrongStep";
import "../rl.css";

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(3));

/** One completion: its text with the first wrong step marked, each judge's reward, total, advantage, length. */
function CompletionCard({ c, n }: { c: SampleCompletion; n: number }) {
  const lines = markWrongStep(c.text, c.first_wrong_step);
  const tone = c.advantage > 0 ? "ok" : c.advantage < 0 ? "bad" : "muted";
  return (
    <article className={`rl-completion rl-${tone}`} data-testid="rl-completion" aria-label={`Completion ${n}`}>
      <header className="rl-completion-head">
        <strong>#{n}</strong>
        <span className="badge badge-info" title="The weighted total reward">
          reward {fmt(c.reward)}
        </span>
        <span className={`badge badge-${tone}`} title="Group-relative advantage">
          advantage {fmt(c.advantage)}
        </span>
        <span className="muted small-text">{c.tokens} tokens</span>
        {c.clipped ? (
          <span className="badge badge-warn" data-testid="rl-clipped" title="Hit max_new_tokens before the end of turn">
            clipped
          </span>
        ) : null}
      </header>
      <pre className="pred rl-text">
        {lines.map((l, i) => (
          <span key={i}>
            {l.wrong ? (
              <mark className="wrong-step" data-testid="wrong-step" title={`The first wrong step (step ${c.first_wrong_step})`}>
                {l.text}
              </mark>
            ) : (
              l.text
            )}
            {i < lines.length - 1 ? "\n" : ""}
          </span>
        ))}
      </pre>
      <table className="verdicts rl-rewards">
        <tbody>
          {Object.entries(c.rewards).map(([judge, r]) => (
            <tr key={judge}>
              <td className="mono">{judge}</td>
              <td className="num">{fmt(r)}</td>
            </tr>
          ))}
          <tr>
            <td>first wrong step</td>
            <td className="num">{c.first_wrong_step ?? "—"}</td>
          </tr>
        </tbody>
      </table>
    </article>
  );
}

/** A prompt of the step and its G completions side by side. */
function PromptCard({ s }: { s: PromptSample }) {
  return (
    <section className="rl-prompt" data-testid="rl-prompt" aria-label={`Prompt ${s.prompt_id}`}>
      <header className="item-head">
        <strong className="mono">{s.prompt_id}</strong>
        <span className="muted">expected</span> <span className="mono">{s.expected_answer}</span>
        <span className="muted small-text">{s.completions.length} completions</span>
      </header>
      <pre className="pred">{s.prompt}</pre>
      <div className="rl-completions">
        {s.completions.map((c, i) => (
          <CompletionCard key={i} c={c} n={i + 1} />
        ))}
      </div>
    </section>
  );
}

/** What the model said: pick a step of `samples.jsonl`; each kept prompt with its completions and rewards. */
export function SamplesPanel({ runId, active }: { runId: string; active: boolean }) {
  const [picked, setPicked] = useState<number | null>(null);
  const index = useRunSamples(runId, null, active);
  const steps = index.data?.steps ?? [];
  const step = picked ?? steps.at(-1) ?? null;
  const page = useRunSamples(runId, step, active && step !== null);
  return (
    <QueryView
      query={index}
      loadingLabel="Loading samples…"
      errorTitle="Could not load the samples"
      isEmpty={(d) => d.steps.length === 0}
      empty={
        <Empty title="No samples yet">
          The run keeps the completions of its first prompts at step 1 and every <span className="mono">rl.samples_every_steps</span> steps.
        </Empty>
      }
    >
      {(first) => (
        <div className="stack" data-testid="rl-samples">
          <div className="row">
            <label>
              Step
              <select value={String(step)} onChange={(e) => setPicked(Number(e.target.value))}>
                {first.steps.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
            {first.skipped ? <span className="muted small-text">{first.skipped} unreadable lines skipped</span> : null}
          </div>
          <QueryView query={page} loadingLabel="Loading the step…" errorTitle="Could not load the step" empty={<Empty title="No prompts at this step" />}>
            {(p) => (
              <>
                {p.data.map((s) => (
                  <PromptCard key={`${s.step}/${s.prompt_id}`} s={s} />
                ))}
              </>
            )}
          </QueryView>
        </div>
      )}
    </QueryView>
  );
}
