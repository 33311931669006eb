import type { ReactNode } from "react";
import { rewardSpecModeValues, rlConfigLossValues, rlConfigScale_rewardsValues } from "../../../client/schema";
import { defaultReward, type RewardDraft, type RlDraft } from "../launch";
import "../rl.css";

/** A label with the server's refusal of its key shown under it (`config.rl.<key>`). */
function Field({ label, error, children }: { label: string; error?: string; children: ReactNode }) {
  return (
    <label>
      {label}
      {children}
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </label>
  );
}

/** The GRPO fields of the launch form (the `rl:` section); `errors` are the server's, by rl path. */
export function RlFields({ value, onChange, errors }: { value: RlDraft; onChange: (d: RlDraft) => void; errors: Record<string, string> }) {
  const text = (k: keyof RlDraft) => ({
    value: String(value[k]),
    onChange: (e: { target: { value: string } }) => onChange({ ...value, [k]: e.target.value }),
  });
  const setReward = (i: number, patch: Partial<RewardDraft>) => onChange({ ...value, rewards: value.rewards.map((r, n) => (n === i ? { ...r, ...patch } : r)) });
  return (
    <fieldset aria-label="GRPO">
      <legend>GRPO (rl)</legend>
      <Field label="Start from (run id, registry://family/alias or model directory)" error={errors.init_from}>
        <input {...text("initFrom")} className="mono" placeholder="empty: the model above" />
      </Field>
      <div className="form-grid">
        <Field label="Group size (G)" error={errors.num_generations}>
          <input {...text("numGenerations")} inputMode="numeric" />
        </Field>
        <Field label="Prompts per step" error={errors.prompts_per_step}>
          <input {...text("promptsPerStep")} inputMode="numeric" />
        </Field>
        <Field label="Max new tokens" error={errors.max_new_tokens}>
          <input {...text("maxNewTokens")} inputMode="numeric" />
        </Field>
        <Field label="Temperature" error={errors.temperature}>
          <input {...text("temperature")} inputMode="decimal" />
        </Field>
        <Field label="KL weight (beta)" error={errors.beta}>
          <input {...text("beta")} inputMode="decimal" />
        </Field>
        <Field label="Loss" error={errors.loss}>
          <select {...text("loss")}>
            {rlConfigLossValues.map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
        </Field>
        <Field label="Scale rewards" error={errors.scale_rewards}>
          <select {...text("scaleRewards")}>
            {rlConfigScale_rewardsValues.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
        <Field label="Samples every (steps)" error={errors.samples_every_steps}>
          <input {...text("samplesEvery")} inputMode="numeric" />
        </Field>
        <Field label="Samples prompts (K)" error={errors.samples_prompts}>
          <input {...text("samplesPrompts")} inputMode="numeric" />
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={value.filterZeroStd} onChange={(e) => onChange({ ...value, filterZeroStd: e.target.checked })} />
        Drop zero-std groups (filter_zero_std)
      </label>
      <div className="stack" role="group" aria-label="Rewards">
        <strong>Rewards (weight × judge score, summed)</strong>
        {errors.rewards ? <span className="field-error" role="alert">{errors.rewards}</span> : null}
        {value.rewards.map((r, i) => (
          <div className="rl-reward-row" key={i} data-testid="reward-row">
            <Field label={`Judge ${i + 1}`} error={errors[`rewards.${i}.judge`]}>
              <input value={r.judge} onChange={(e) => setReward(i, { judge: e.target.value })} className="mono" placeholder="answer_correctness" />
            </Field>
            <Field label={`Weight ${i + 1}`} error={errors[`rewards.${i}.weight`]}>
              <input value={r.weight} onChange={(e) => setReward(i, { weight: e.target.value })} inputMode="decimal" />
            </Field>
            {r.judge.trim() === "step_check" ? (
              <Field label={`Mode ${i + 1}`} error={errors[`rewards.${i}.mode`]}>
                <select value={r.mode} onChange={(e) => setReward(i, { mode: e.target.value as RewardDraft["mode"] })}>
                  {rewardSpecModeValues.map((m) => (
                    <option key={m}>{m}</option>
                  ))}
                </select>
              </Field>
            ) : (
              <span />
            )}
            <button type="button" className="btn" onClick={() => onChange({ ...value, rewards: value.rewards.filter((_, n) => n !== i) })} aria-label={`Remove reward ${i + 1}`}>
              Remove
            </button>
          </div>
        ))}
        <div>
          <button type="button" className="btn" onClick={() => onChange({ ...value, rewards: [...value.rewards, defaultReward("", "1")] })}>
            Add a judge
          </button>
        </div>
      </div>
    </fieldset>
  );
}
