// Data several workbench specs share, made through the API once per suite run: two tiny trained
// runs that differ in learning rate, both evaluated on a 4-item eval set. About a minute of CPU in
// all (two 6-step runs, two evaluations). Re-entrant: every piece is looked up by name before it is
// made, so a second call (another spec file, a new worker after a failure) reuses what exists.
import { expect, type APIRequestContext } from "@playwright/test";
import { apiUrl } from "./fixtures";

export const WB_EVAL_SET = "e2e-wb-eval";
export const WB_TAG = "e2ewb";
const STEPS = 6;
const DEADLINE_MS = 300_000;

export type Seeded = { dataset: string; runs: [string, string]; evaluations: [string, string] };

type Json = Record<string, unknown>;

async function json(res: { ok(): boolean; text(): Promise<string>; json(): Promise<unknown> }): Promise<Json> {
  expect(res.ok(), await res.text()).toBeTruthy();
  return (await res.json()) as Json;
}

async function until<T>(what: string, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`${what} not done after ${DEADLINE_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The dataset built under `name`, if one exists. */
async function datasetNamed(request: APIRequestContext, name: string): Promise<string | null> {
  const page = await json(await request.get(apiUrl("/api/datasets?limit=500")));
  const found = ((page.data as Json[]) ?? []).find((d) => d.name === name);
  return found ? (found.key as string) : null;
}

/** A run by name on the server, if one exists. */
async function runNamed(request: APIRequestContext, name: string): Promise<Json | null> {
  const page = await json(await request.get(apiUrl(`/api/tunix/runs?q=${encodeURIComponent(name)}&limit=200`)));
  return ((page.data as Json[]) ?? []).find((r) => r.name === name) ?? null;
}

async function train(request: APIRequestContext, name: string, dataset: string, lr: number): Promise<string> {
  const existing = await runNamed(request, name);
  let id = existing?.id as string | undefined;
  if (!id) {
    const config = { model: "tiny-llama", dataset, max_steps: STEPS, batch_size: 8, learning_rate: lr, warmup_steps: 1, log_every_steps: 1, eval_every_steps: 3, max_seq_length: 256 };
    id = (await json(await request.post(apiUrl("/api/tunix/run?mode=async"), { data: { name, config } }))).id as string;
  }
  await until(`run ${name}`, async () => {
    const r = await json(await request.get(apiUrl(`/api/tunix/runs/${id}`)));
    if (["failed", "cancelled"].includes(r.status as string)) throw new Error(`run ${name} ${r.status}: ${r.error}`);
    return r.status === "succeeded" ? true : null;
  });
  return id;
}

async function evaluate(request: APIRequestContext, runId: string): Promise<string> {
  const latest = await request.get(apiUrl(`/api/tunix/runs/${runId}/evaluation`));
  let e = latest.ok() ? ((await latest.json()) as Json) : null;
  if (!e || e.eval_set !== WB_EVAL_SET) {
    e = await json(await request.post(apiUrl(`/api/tunix/runs/${runId}/evaluate`), { data: { eval_set: WB_EVAL_SET, max_new_tokens: 24 } }));
  }
  const id = e.id as string;
  await until(`evaluation of ${runId}`, async () => {
    const cur = await json(await request.get(apiUrl(`/api/tunix/evaluations/${id}`)));
    if (cur.status === "failed") throw new Error(`evaluation failed: ${cur.error}`);
    return cur.status === "succeeded" ? true : null;
  });
  return id;
}

let seeded: Promise<Seeded> | null = null;

/** The shared runs and evaluations (made on first use). */
export function seedWorkbench(request: APIRequestContext): Promise<Seeded> {
  seeded ??= (async () => {
    const traces = [2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14].map((n) => ({
      prompt: `What is ${n} + ${n + 1}?`,
      steps: [{ i: 0, type: "compute", content: `${n}+${n + 1}=${2 * n + 1}` }],
      final_answer: String(2 * n + 1),
      meta: { category: WB_TAG, source: "e2e" },
    }));
    // stored once: the same traces again are counted as duplicates, not stored twice
    expect((await request.post(apiUrl("/api/traces/batch"), { data: traces })).ok()).toBeTruthy();
    let dataset = await datasetNamed(request, WB_TAG);
    if (!dataset) {
      const built = await request.post(apiUrl("/api/datasets/build"), { data: { name: WB_TAG, filters: { category: [WB_TAG] }, eval_fraction: 0.25 } });
      expect(built.ok(), await built.text()).toBeTruthy();
      dataset = (await built.json()).key as string;
    }
    const sets = await json(await request.get(apiUrl("/api/evalsets?limit=500")));
    if (!((sets.data as Json[]) ?? []).some((s) => s.name === WB_EVAL_SET)) {
      const items = [3, 5, 7, 9].map((n) =>
        JSON.stringify({ id: `wb-${n}`, prompt: `What is ${n} + ${n}?`, expected_answer: String(2 * n), category: n < 6 ? "small" : "large", section: n === 9 ? "edge_case" : "core" }),
      );
      const res = await request.post(apiUrl(`/api/evalsets?name=${WB_EVAL_SET}`), { data: items.join("\n"), headers: { "content-type": "application/x-ndjson" } });
      expect(res.ok(), await res.text()).toBeTruthy();
    }
    const a = await train(request, "e2e-wb-a", dataset, 0.003);
    const b = await train(request, "e2e-wb-b", dataset, 0.01);
    const ea = await evaluate(request, a);
    const eb = await evaluate(request, b);
    return { dataset, runs: [a, b], evaluations: [ea, eb] };
  })();
  return seeded;
}
