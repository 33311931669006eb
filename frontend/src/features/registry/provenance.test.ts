import { describe, expect, it } from "vitest";
import { readProvenance } from "./provenance";

describe("readProvenance", () => {
  it("reads the run, dataset hash, evaluation and libraries the registry recorded", () => {
    const p = readProvenance({
      run_id: "r-1",
      provenance: {
        run_id: "r-1",
        run_name: "lr0.003",
        dataset_key: "arith-v1",
        dataset_sha256: "ab".repeat(32),
        config: { learning_rate: 0.003 },
        code_version: "0.1.0",
        library_versions: { transformers: "5.12.1", torch: "2.13.0" },
        evaluation: { evaluation_id: "e-1", eval_set: "eval-v2", primary_judge: "answer_correctness", primary_score: 0.5, ci95: [0.25, 0.75], n_items: 8 },
      },
    });
    expect(p).toMatchObject({ runId: "r-1", runName: "lr0.003", datasetKey: "arith-v1", codeVersion: "0.1.0", config: { learning_rate: 0.003 } });
    expect(p.libraries).toEqual([
      ["torch", "2.13.0"],
      ["transformers", "5.12.1"],
    ]);
    expect(p.evaluation).toEqual({ evaluationId: "e-1", evalSet: "eval-v2", judge: "answer_correctness", score: 0.5, ci95: [0.25, 0.75], nItems: 8 });
  });

  it("falls back to the training manifest's own names for the data hash and libraries", () => {
    const manifest = { data_sha256: "cd".repeat(32), libraries: { torch: "2.13.0" } };
    const p = readProvenance({ run_id: "r", provenance: { dataset_sha256: null, library_versions: {}, run_manifest: manifest } });
    expect(p.datasetSha256).toBe("cd".repeat(32));
    expect(p.libraries).toEqual([["torch", "2.13.0"]]);
  });

  it("gives nulls for what an older or unevaluated version lacks", () => {
    const p = readProvenance({ run_id: null, provenance: { evaluation: null, run_manifest: null } });
    expect(p).toEqual({ runId: null, runName: null, datasetKey: null, datasetSha256: null, codeVersion: null, libraries: [], config: null, evaluation: null });
    expect(readProvenance({ run_id: "r", provenance: { evaluation: { eval_set: "s", primary_score: null, ci95: [null, null] } } }).evaluation).toMatchObject({ score: null, ci95: null });
  });
});
