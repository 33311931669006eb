import type { ModelVersion } from "./api";

/** The evaluation a version's provenance records (the run's latest successful one). */
export type ProvenanceEval = { evaluationId: string | null; evalSet: string; judge: string; score: number | null; ci95: number[] | null; nItems: number | null };

/** The readable parts of a version's provenance; anything missing is null. */
export type Provenance = {
  runId: string | null;
  runName: string | null;
  datasetKey: string | null;
  datasetSha256: string | null;
  codeVersion: string | null;
  libraries: [string, string][];
  config: Record<string, unknown> | null;
  evaluation: ProvenanceEval | null;
};

const str = (v: unknown) => (typeof v === "string" && v ? v : null);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
const obj = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

function evaluationOf(v: unknown): ProvenanceEval | null {
  const e = obj(v);
  if (!e) return null;
  const ci = Array.isArray(e.ci95) && e.ci95.length === 2 && e.ci95.every((x) => typeof x === "number") ? (e.ci95 as number[]) : null;
  return {
    evaluationId: str(e.evaluation_id),
    evalSet: str(e.eval_set) ?? "?",
    judge: str(e.primary_judge) ?? "?",
    score: num(e.primary_score),
    ci95: ci,
    nItems: num(e.n_items),
  };
}

/** Reads what the registry recorded at promotion (registry/service.py `_run_provenance`). */
export function readProvenance(version: Pick<ModelVersion, "provenance" | "run_id">): Provenance {
  const p = version.provenance ?? {};
  // the training manifest names these data_sha256 and libraries; read it when the top level lacks them
  const manifest = obj(p.run_manifest) ?? {};
  const libs = obj(p.library_versions) && Object.keys(obj(p.library_versions)!).length ? obj(p.library_versions)! : (obj(manifest.libraries) ?? {});
  return {
    runId: str(p.run_id) ?? version.run_id ?? null,
    runName: str(p.run_name),
    datasetKey: str(p.dataset_key),
    datasetSha256: str(p.dataset_sha256) ?? str(manifest.data_sha256),
    codeVersion: str(p.code_version),
    libraries: Object.entries(libs)
      .filter(([, v]) => typeof v === "string")
      .map(([k, v]) => [k, v as string] as [string, string])
      .sort(([a], [b]) => a.localeCompare(b)),
    config: obj(p.config),
    evaluation: evaluationOf(p.evaluation),
  };
}
