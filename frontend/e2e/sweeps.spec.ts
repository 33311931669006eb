import type { APIRequestContext } from "@playwright/test";
import { apiUrl, expect, snap, test } from "./fixtures";
import { seedWorkbench } from "./seed";

// A real 2-trial sweep (Ray Tune, 3-step tiny runs) and one whose trial fails: ranking on the
// sweep's metric as defined, max_concurrent_trials honoured, progress, parallel coordinates,
// metric-vs-parameter plots, and a failed trial's cause.

test.describe.configure({ timeout: 480_000 });

type Json = Record<string, unknown>;

/** Creates a sweep, runs `beforeStart` (if any), starts it and waits until it ends. */
async function sweep(request: APIRequestContext, name: string, dataset: string, trials: number, learningRate: Json, beforeStart?: () => Promise<void>): Promise<Json> {
  const body = {
    name,
    dataset_key: dataset,
    base_model: "tiny-llama",
    base_config: { max_steps: 3, batch_size: 8, log_every_steps: 1 },
    metric: "loss",
    mode: "min",
    num_samples: trials,
    max_concurrent_trials: 1,
    search_space: { learning_rate: learningRate },
  };
  const res = await request.post(apiUrl("/api/tuning/jobs"), { data: body });
  expect(res.ok(), await res.text()).toBeTruthy();
  const job = (await res.json()) as Json;
  if (beforeStart) await beforeStart();
  const started = await request.post(apiUrl(`/api/tuning/jobs/${job.id}/start`));
  expect(started.ok(), await started.text()).toBeTruthy();
  let cur = job;
  const deadline = Date.now() + 400_000;
  while (!["succeeded", "failed", "cancelled"].includes(cur.status as string)) {
    if (Date.now() > deadline) throw new Error(`sweep ${name} still ${cur.status}`);
    await new Promise((r) => setTimeout(r, 1000));
    cur = (await (await request.get(apiUrl(`/api/tuning/jobs/${job.id}`))).json()) as Json;
  }
  return cur;
}

test("a finished sweep: trials ranked on the metric it names, parallel coordinates, metric against each parameter", async ({ page, request }) => {
  const { dataset } = await seedWorkbench(request);
  // a continuous range: the two trials sample two different rates (a 2-value choice may repeat one)
  const job = await sweep(request, "e2e-wb-sweep", dataset, 2, { type: "loguniform", min: 0.001, max: 0.03 });
  expect(job.status).toBe("succeeded");
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`/#/tuning/${job.id}`);
  await expect(page.getByTestId("metric-definition")).toContainText("lowest first");
  await expect(page.getByTestId("metric-definition")).toContainText(String(job.metric_definition ?? "loss"));
  const rows = page.getByTestId("trial-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.first().getByTestId("trial-rank")).toHaveText("1");
  await expect(rows.first()).toHaveClass(/row-best/);
  const metrics = (await page.getByTestId("trial-metric").allTextContents()).map(Number);
  expect(metrics[0]!).toBeLessThanOrEqual(metrics[1]!);
  const rates = ((job.trials as Json[]) ?? []).map((t) => (t.params as Json).learning_rate);
  expect(new Set(rates).size, `sampled rates ${rates}`).toBe(2);
  await expect(page.getByTestId("parallel-coordinates").getByTestId("pc-line")).toHaveCount(2);
  await expect(page.getByTestId("metric-vs-param")).toHaveCount(1);
  await expect(page.getByTestId("sweep-progress")).toContainText("2 / 2 trials finished");
  // max_concurrent_trials 1 honoured: each trial's run started after the one before it finished
  const trials = ((job.trials as Json[]) ?? []).filter((t) => t.started_at && t.run_finished_at);
  expect(trials).toHaveLength(2);
  const spans = trials.map((t) => [Date.parse(t.started_at as string), Date.parse(t.run_finished_at as string)] as const).sort((x, y) => x[0] - y[0]);
  expect(spans[1]![0]).toBeGreaterThanOrEqual(spans[0]![1]);
  await snap(page, "sweep-1400");
  await page.setViewportSize({ width: 800, height: 900 });
  await snap(page, "sweep-800");
});

// Every input that used to fail a trial at run time (unknown dataset, a hub model, a too-short
// max_seq_length, a learning rate past the bound) is now refused at create. What create cannot
// see is a dataset deleted after it: the sweep is created over a dataset of its own, the dataset
// is deleted (DELETE /api/datasets/KEY, allowed while no run names it), and only then is the
// sweep started, so its trial's training run fails at run time on the missing dataset.
test("a failed sweep shows each trial's cause, with a link to the trial's run", async ({ page, request }) => {
  const name = `e2e-doomed-${Date.now().toString(36)}`;
  const traces = [1, 2, 3, 4].map((n) => ({ prompt: `What is ${n} + 20?`, steps: [{ i: 0, type: "compute", content: `${n}+20=${n + 20}` }], final_answer: String(n + 20), meta: { category: name } }));
  expect((await request.post(apiUrl("/api/traces/batch"), { data: traces })).ok()).toBeTruthy();
  const built = await request.post(apiUrl("/api/datasets/build"), { data: { name, filters: { category: [name] } } });
  expect(built.ok(), await built.text()).toBeTruthy();
  const dataset = (await built.json()).key as string;
  const job = await sweep(request, "e2e-wb-sweep-bad", dataset, 1, { type: "choice", values: [0.003] }, async () => {
    const gone = await request.delete(apiUrl(`/api/datasets/${encodeURIComponent(dataset)}`));
    expect(gone.status(), await gone.text()).toBe(204);
  });
  expect(job.status).toBe("failed");
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`/#/tuning/${job.id}`);
  const failures = page.getByTestId("trial-failures");
  await expect(failures).toContainText("1 trial failed");
  // the trial's cause names the missing dataset, and links to the run that failed on it
  await expect(failures).toContainText(dataset);
  const link = failures.getByRole("link", { name: /^run / });
  await expect(link).toBeVisible();
  await link.click();
  await expect(page).toHaveURL(/#\/runs\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("run-status").first()).toHaveText("failed");
  await page.goBack();
  await expect(failures).toBeVisible();
  await snap(page, "sweep-failed-1400");
  await page.setViewportSize({ width: 800, height: 900 });
  await snap(page, "sweep-failed-800");
});
