import type { APIRequestContext } from "@playwright/test";
import { apiUrl, expect, snap, test } from "./fixtures";
import { seedWorkbench } from "./seed";

// A real 2-trial sweep (Ray Tune, 3-step tiny runs) and one whose trials all fail: ranking on the
// sweep's metric as defined, progress, parallel coordinates, metric-vs-parameter plots, causes.

test.describe.configure({ timeout: 480_000 });

type Json = Record<string, unknown>;

async function sweep(request: APIRequestContext, name: string, dataset: string, lrs: number[], extra: Json = {}): Promise<Json> {
  const body = {
    name,
    dataset_key: dataset,
    base_model: "tiny-llama",
    base_config: { max_steps: 3, batch_size: 8, log_every_steps: 1, ...extra },
    metric: "loss",
    mode: "min",
    num_samples: lrs.length,
    max_concurrent_trials: 1,
    search_space: { learning_rate: { type: "choice", values: lrs } },
  };
  const res = await request.post(apiUrl("/api/tuning/jobs"), { data: body });
  expect(res.ok(), await res.text()).toBeTruthy();
  const job = (await res.json()) as Json;
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
  const job = await sweep(request, "e2e-wb-sweep", dataset, [0.003, 0.03]);
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
  await expect(page.getByTestId("parallel-coordinates").getByTestId("pc-line")).toHaveCount(2);
  await expect(page.getByTestId("metric-vs-param")).toHaveCount(1);
  await expect(page.getByTestId("sweep-progress")).toContainText("2 / 2 trials finished");
  await snap(page, "sweep-1400");
  await page.setViewportSize({ width: 800, height: 900 });
  await snap(page, "sweep-800");
});

// Every input that used to fail a trial at run time (unknown dataset, a hub model, a too-short
// max_seq_length, a learning rate past the bound) is now refused at create, and plain SGD at the
// largest allowed rate still converges on this tiny model: no cheap input fails a trial here.
test.fixme("a failed sweep shows each trial's cause", async ({ page, request }) => {
  const { dataset } = await seedWorkbench(request);
  // the largest learning rate the API takes, unclipped plain SGD: the loss diverges to inf/NaN
  const job = await sweep(request, "e2e-wb-sweep-bad", dataset, [10], { optimizer: "sgd", max_grad_norm: null, max_steps: 30 });
  expect(job.status).toBe("failed");
  await page.goto(`/#/tuning/${job.id}`);
  const failures = page.getByTestId("trial-failures");
  await expect(failures).toContainText("1 trial failed");
  await expect(failures.getByRole("link", { name: /^run / })).toBeVisible();
  await snap(page, "sweep-failed");
});
