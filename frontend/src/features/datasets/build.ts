import type { DatasetBuild } from "./api";

/** The build form's fields (lists as comma-separated text). */
export type BuildDraft = {
  name: string;
  version: string;
  description: string;
  source: string;
  category: string;
  difficulty: string;
  tags: string;
  minSteps: string;
  maxSteps: string;
  strategy: NonNullable<DatasetBuild["strategy"]>;
  seed: string;
  stratifyBy: string;
  limit: string;
  evalFraction: string;
  dedupe: NonNullable<DatasetBuild["dedupe"]>;
  excludeEvalOverlap: boolean;
};

export const defaultBuildDraft = (): BuildDraft => ({
  name: "",
  version: "v1",
  description: "",
  source: "",
  category: "",
  difficulty: "",
  tags: "",
  minSteps: "",
  maxSteps: "",
  strategy: "latest",
  seed: "",
  stratifyBy: "",
  limit: "",
  evalFraction: "0.1",
  dedupe: "content",
  excludeEvalOverlap: false,
});

const list = (text: string) => {
  const items = text.split(",").map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
};

/** The POST /api/datasets/build body, or every field that is wrong. */
export function draftToBuild(d: BuildDraft): { ok: true; body: DatasetBuild } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const int = (raw: string, key: string): number | undefined => {
    if (!raw.trim()) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) problems.push(`${key}: not a whole number`);
    return n;
  };
  const filters: NonNullable<DatasetBuild["filters"]> = {};
  const source = list(d.source);
  const category = list(d.category);
  const difficulty = list(d.difficulty);
  const tags = list(d.tags);
  if (source) filters.source = source;
  if (category) filters.category = category;
  if (difficulty) filters.difficulty = difficulty;
  if (tags) filters.tags = tags;
  const minSteps = int(d.minSteps, "filters.min_steps");
  const maxSteps = int(d.maxSteps, "filters.max_steps");
  if (minSteps !== undefined) filters.min_steps = minSteps;
  if (maxSteps !== undefined) filters.max_steps = maxSteps;
  const fraction = Number(d.evalFraction || "0");
  if (!Number.isFinite(fraction) || fraction < 0 || fraction >= 1) problems.push("eval_fraction: between 0 and 1");
  if (!d.name.trim()) problems.push("name: required");
  const body: DatasetBuild = {
    name: d.name.trim(),
    version: d.version.trim() || "v1",
    description: d.description,
    filters,
    strategy: d.strategy,
    eval_fraction: fraction,
    dedupe: d.dedupe,
    exclude_eval_overlap: d.excludeEvalOverlap,
  };
  const seed = int(d.seed, "seed");
  const limit = int(d.limit, "limit");
  if (seed !== undefined) body.seed = seed;
  if (limit !== undefined) body.limit = limit;
  if (d.stratifyBy.trim()) body.stratify_by = d.stratifyBy.trim();
  return problems.length ? { ok: false, problems } : { ok: true, body };
}
