import { useState, type FormEvent } from "react";
import { datasetBuildDedupeValues, datasetBuildStrategyValues } from "../../../client/schema";
import { defaultBuildDraft, draftToBuild, type BuildDraft } from "../build";
import type { DatasetBuild } from "../api";
import { MatchCount } from "./MatchCount";

/** Dataset build form: filters, selection strategy, seed, split and dedupe. */
export function BuildForm({ busy, onSubmit }: { busy: boolean; onSubmit: (body: DatasetBuild) => void }) {
  const [d, setD] = useState<BuildDraft>(defaultBuildDraft);
  const [problems, setProblems] = useState<string[]>([]);
  const field = (k: keyof BuildDraft) => ({
    value: String(d[k]),
    onChange: (e: { target: { value: string } }) => setD((p) => ({ ...p, [k]: e.target.value })),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = draftToBuild(d);
    if (!r.ok) return setProblems(r.problems);
    setProblems([]);
    onSubmit(r.body);
  };
  return (
    <form className="form" onSubmit={submit} aria-label="Build a dataset">
      <div className="row">
        <label className="grow">
          Name
          <input {...field("name")} placeholder="arith-small" required />
        </label>
        <label>
          Version
          <input {...field("version")} size={6} />
        </label>
        <label className="grow">
          Description
          <input {...field("description")} />
        </label>
      </div>
      <fieldset>
        <legend>Filters (comma-separated; empty means any)</legend>
        <div className="form-grid">
          <label>
            Source
            <input {...field("source")} placeholder="generator" />
          </label>
          <label>
            Category
            <input {...field("category")} placeholder="addition" />
          </label>
          <label>
            Difficulty
            <input {...field("difficulty")} placeholder="easy, medium" />
          </label>
          <label>
            Tags (all of)
            <input {...field("tags")} />
          </label>
          <label>
            Min steps
            <input {...field("minSteps")} inputMode="numeric" />
          </label>
          <label>
            Max steps
            <input {...field("maxSteps")} inputMode="numeric" />
          </label>
        </div>
        <MatchCount draft={d} />
      </fieldset>
      <fieldset>
        <legend>Selection and split</legend>
        <div className="form-grid">
          <label>
            Strategy
            <select {...field("strategy")}>
              {datasetBuildStrategyValues.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            Seed
            <input {...field("seed")} inputMode="numeric" placeholder="required for random" />
          </label>
          <label>
            Stratify by (meta key)
            <input {...field("stratifyBy")} placeholder="category" />
          </label>
          <label>
            Limit
            <input {...field("limit")} inputMode="numeric" placeholder="all" />
          </label>
          <label>
            Eval fraction
            <input {...field("evalFraction")} inputMode="decimal" />
          </label>
          <label>
            Dedupe by
            <select {...field("dedupe")}>
              {datasetBuildDedupeValues.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
        </div>
        <label className="check">
          <input type="checkbox" checked={d.excludeEvalOverlap} onChange={(e) => setD({ ...d, excludeEvalOverlap: e.target.checked })} />
          Exclude traces that overlap a registered eval set
        </label>
      </fieldset>
      {problems.length ? (
        <div className="state state-error" role="alert">
          <strong>Fix these fields</strong>
          <ul className="mono small-text">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <div>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Building…" : "Build dataset"}
        </button>
      </div>
    </form>
  );
}
