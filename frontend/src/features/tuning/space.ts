import { distributionTypeValues } from "../../client/schema";
import type { Schemas } from "../../client/types";
import type { Distribution } from "./api";

export type DistType = Distribution["type"];

const DIST_HINTS: Record<DistType, string> = {
  choice: "one of the listed values",
  uniform: "a float in [min, max)",
  loguniform: "a float in [min, max), log scale (min > 0)",
  randint: "an integer in [min, max), max exclusive",
};

export const DIST_TYPES: { id: DistType; label: string; hint: string }[] = distributionTypeValues.map((id) => ({ id, label: id, hint: DIST_HINTS[id] }));

/** Training config keys worth searching (suggestions only: the server checks every key). */
export const SUGGESTED_KEYS: (keyof Schemas["TrainConfig"])[] = [
  "learning_rate",
  "batch_size",
  "warmup_steps",
  "weight_decay",
  "max_steps",
  "epochs",
  "gradient_accumulation_steps",
  "lr_schedule",
  "optimizer",
  "max_grad_norm",
  "seed",
  "style",
  "template",
];

/** One row of the search-space editor, as typed. */
export type SpaceRow = { key: string; type: DistType; values: string; min: string; max: string };

export const emptyRow = (type: DistType = "loguniform"): SpaceRow => ({ key: "", type, values: "", min: "", max: "" });

/** A typed choice value: numbers and booleans as such, anything else as text. */
export function parseValue(token: string): string | number | boolean {
  const t = token.trim();
  if (t === "true" || t === "false") return t === "true";
  const n = Number(t);
  return t !== "" && Number.isFinite(n) ? n : t;
}

function number(text: string): number | null {
  const n = Number(text.trim());
  return text.trim() !== "" && Number.isFinite(n) ? n : null;
}

/** The API's `search_space` from the editor rows, or the problems (by row) that stop it. */
export function toSearchSpace(rows: SpaceRow[]): { space: Record<string, Distribution>; problems: string[] } {
  const space: Record<string, Distribution> = {};
  const problems: string[] = [];
  rows.forEach((row, n) => {
    const key = row.key.trim();
    const where = key ? `search_space.${key}` : `row ${n + 1}`;
    if (!key) return problems.push(`${where}: needs a config key`);
    if (key in space) return problems.push(`${where}: listed twice`);
    if (row.type === "choice") {
      const values = row.values.split(",").map((v) => v.trim()).filter(Boolean).map(parseValue);
      if (!values.length) return problems.push(`${where}: choice needs values, separated by commas`);
      space[key] = { type: "choice", values };
      return;
    }
    const min = number(row.min);
    const max = number(row.max);
    if (min === null || max === null) return problems.push(`${where}: ${row.type} needs numeric min and max`);
    space[key] = { type: row.type, min, max };
  });
  if (!rows.length) problems.push("search_space: add at least one key");
  return { space, problems };
}

/** A search space as one short line per key, e.g. `loguniform(0.0001, 0.003)`. */
export function describeDistribution(d: unknown): string {
  if (!d || typeof d !== "object") return String(d);
  const { type, values, min, max } = d as { type?: string; values?: unknown[]; min?: number; max?: number };
  if (type === "choice") return `choice(${(values ?? []).map((v) => JSON.stringify(v)).join(", ")})`;
  return `${type}(${min}, ${max})`;
}
