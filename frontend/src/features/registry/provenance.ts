import type { Schemas } from "../../client/types";

type Evaluation = Omit<Schemas["ProvenanceEvaluation"], "scorecard">;
// The parts of registry/schemas.py's Provenance the pages read (picked, so a fetched version whose
// nested tuples openapi-fetch widened to arrays still fits).
type Recorded = Omit<Schemas["Provenance"], "run_manifest" | "evaluation"> & {
  run_manifest?: Pick<Schemas["RunManifest"], "data_sha256" | "libraries"> | null;
  evaluation?: Evaluation | null;
};

const text = (v: string | null | undefined) => v || null;

function evaluationOf(e: Evaluation | null | undefined) {
  if (!e) return null;
  const [low, high] = e.ci95 ?? [];
  return {
    evaluationId: e.evaluation_id ?? null,
    evalSet: text(e.eval_set) ?? "?",
    judge: text(e.primary_judge) ?? "?",
    score: e.primary_score ?? null,
    // a CI with a missing bound (too few scored items) is shown as none
    ci95: low != null && high != null ? [low, high] : null,
    nItems: e.n_items ?? null,
  };
}

/** What the registry recorded at promotion (registry/schemas.py `Provenance`), as the pages show it; anything missing is null. */
export function readProvenance(version: { provenance: Recorded; run_id: string | null }) {
  const p = version.provenance;
  // the training manifest names these data_sha256 and libraries; read it when the top level lacks them
  const manifest = p.run_manifest;
  const libs = p.library_versions && Object.keys(p.library_versions).length ? p.library_versions : (manifest?.libraries ?? {});
  return {
    runId: p.run_id ?? version.run_id ?? null,
    runName: text(p.run_name),
    datasetKey: text(p.dataset_key),
    datasetSha256: text(p.dataset_sha256) ?? text(manifest?.data_sha256),
    codeVersion: text(p.code_version),
    libraries: Object.entries(libs).sort(([a], [b]) => a.localeCompare(b)),
    config: p.config && Object.keys(p.config).length ? p.config : null,
    evaluation: evaluationOf(p.evaluation),
  };
}
