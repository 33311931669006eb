import type { APIRequestContext, Locator, Page } from "@playwright/test";
import { apiUrl, expect, snap, test } from "./fixtures";
import { seedWorkbench, WB_EVAL_SET } from "./seed";

// The workbench views of issue #20 on two tiny trained and evaluated runs (seed.ts): the runs
// table, progress, the evaluation browser, budget analytics, compare, the leaderboard's budget.

test.describe.configure({ timeout: 420_000 });

/** Screenshots of a view at 1400 and 800 px (the review set of docs/ui.md). */
async function snapBoth(page: Page, name: string) {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.waitForTimeout(300);
  await snap(page, `${name}-1400`);
  await page.setViewportSize({ width: 800, height: 900 });
  await page.waitForTimeout(300);
  await snap(page, `${name}-800`);
  await page.setViewportSize({ width: 1400, height: 900 });
}

/** The select of a labelled filter (its label's text starts with `name`; option texts follow it). */
const selectIn = (scope: Locator, name: string) => scope.locator("label").filter({ hasText: new RegExp(`^${name}`) }).locator("select");

const numbers = async (page: Page, col: string) =>
  (await page.locator(`[data-testid="run-row"] td[data-col="${col}"]`).allTextContents()).map((t) => Number(t.replace(/,/g, "")));

/**
 * Tags the seeded runs and their evaluate jobs with a tag no other spec (and no earlier run of this
 * one) carries, so the table's counts hold whatever ran before: every filter below is applied on
 * top of it. Returns the tag.
 */
async function scopeSeeded(request: APIRequestContext, runs: string[], evaluations: string[]): Promise<string> {
  const scope = `wbt-${Date.now().toString(36)}`;
  const jobs = await Promise.all(
    evaluations.map(async (id) => (await (await request.get(apiUrl(`/api/tunix/evaluations/${id}`))).json()).job_run_id as string),
  );
  for (const id of [...runs, ...jobs]) {
    const res = await request.patch(apiUrl(`/api/tunix/runs/${id}`), { data: { tags: [scope] } });
    expect(res.ok(), await res.text()).toBeTruthy();
  }
  return scope;
}

test("runs table: metric columns, sort, search, tags, filters, column chooser, overlay, clone", async ({ page, request }) => {
  const seeded = await seedWorkbench(request);
  const scope = await scopeSeeded(request, seeded.runs, seeded.evaluations);
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`/#/runs?tag=${scope}`);
  const bar = page.getByRole("search", { name: "Run filters" });
  const rows = page.getByTestId("run-row");
  // the two training runs and the two evaluate jobs named after them
  await expect(rows).toHaveCount(4);
  await bar.getByLabel("Search").fill("e2e-wb-a");
  await expect(page).toHaveURL(/q=e2e-wb-a/);
  await expect(rows).toHaveCount(2);
  await bar.getByLabel("Search").fill("e2e-wb-");
  await expect(page).toHaveURL(/q=e2e-wb-(&|$)/);
  await expect(rows).toHaveCount(4);
  await selectIn(bar, "Kind").selectOption("train");
  await expect(rows).toHaveCount(2);
  // metric columns are filled from the runs' logged metrics and scores
  for (const v of await numbers(page, "final_loss")) expect(Number.isFinite(v)).toBe(true);
  await expect(rows.first().locator('td[data-col="score"]')).toContainText("[");

  // sort on a metric column: the header asks the server, both ways
  await page.getByRole("button", { name: /^Final loss/ }).click();
  await expect(page).toHaveURL(/sort=final_loss/);
  await expect.poll(async () => { const v = await numbers(page, "final_loss"); return v[0]! >= v[1]!; }).toBe(true);
  await page.getByRole("button", { name: /^Final loss/ }).click();
  await expect(page).toHaveURL(/order=asc/);
  await expect.poll(async () => { const v = await numbers(page, "final_loss"); return v[0]! <= v[1]!; }).toBe(true);

  // tags: edit inline (keeping the scope tag), then filter by a click on a new one
  const baseline = `${scope}-base`;
  const rowA = rows.filter({ hasText: "e2e-wb-a" });
  await rowA.getByRole("button", { name: /Edit tags of e2e-wb-a/ }).click();
  await rowA.getByLabel("Tags (comma-separated)").fill(`${scope}, ${baseline}, lr-small`);
  await rowA.getByRole("button", { name: "Save" }).click();
  await expect(rowA.getByTestId("run-tags")).toContainText(baseline);
  await rowA.getByRole("button", { name: baseline, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`tag=${baseline}`));
  await expect(rows).toHaveCount(1);
  await bar.getByLabel("Tag", { exact: true }).fill(scope);
  await expect(rows).toHaveCount(2);

  // filters by status, dataset and eval set
  await selectIn(bar, "Status").selectOption("succeeded");
  await bar.getByLabel("Dataset").fill(seeded.dataset);
  await expect(page).toHaveURL(/status=succeeded/);
  await expect(page).toHaveURL(new RegExp(`dataset=${seeded.dataset}`));
  await expect(rows).toHaveCount(2);
  await selectIn(bar, "Eval set").selectOption(WB_EVAL_SET);
  await expect(page).toHaveURL(new RegExp(`eval_set=${WB_EVAL_SET}`));
  await expect(rows).toHaveCount(2);
  await selectIn(bar, "Status").selectOption("failed");
  await expect(page.getByText("No run matches these filters")).toBeVisible();
  await selectIn(bar, "Status").selectOption("");
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId("page-range")).toHaveText("1–2 of 2");

  // the column chooser hides a column, and the choice survives a reload
  await page.getByText("Columns", { exact: true }).click();
  await page.getByRole("group", { name: "Columns" }).getByLabel("Model", { exact: true }).uncheck();
  await expect(page.locator('td[data-col="model"]')).toHaveCount(0);
  await page.reload();
  await expect(rows).toHaveCount(2);
  await expect(page.locator('td[data-col="model"]')).toHaveCount(0);
  await page.getByText("Columns", { exact: true }).click();
  await page.getByRole("group", { name: "Columns" }).getByLabel("Model", { exact: true }).check();
  await page.getByText("Columns", { exact: true }).click();

  // pick both: their curves overlaid in one chart, per curve
  await rows.nth(0).getByRole("checkbox").check();
  await rows.nth(1).getByRole("checkbox").check();
  const overlay = page.getByTestId("run-overlay");
  await expect(overlay.getByRole("img", { name: /^loss by step/ })).toHaveAttribute("aria-label", /e2e-wb-a \(6 points\).*e2e-wb-b \(6 points\)|e2e-wb-b \(6 points\).*e2e-wb-a \(6 points\)/);
  await overlay.getByRole("tab", { name: "Eval loss" }).click();
  await expect(overlay.getByRole("img", { name: /^eval loss by step/ })).toBeVisible();
  await overlay.getByRole("tab", { name: "Learning rate" }).click();
  await expect(overlay.getByRole("img", { name: /^lr by step/ })).toBeVisible();
  await overlay.getByRole("tab", { name: "Loss", exact: true }).click();
  await snapBoth(page, "runs-table");

  // clone a run into the launch form
  await rowA.getByRole("link", { name: "e2e-wb-a" }).click();
  await page.getByRole("link", { name: "Clone into launch form" }).click();
  await expect(page).toHaveURL(/#\/runs\/new\?clone=/);
  const form = page.getByRole("form", { name: "Launch a training run" });
  await expect(form.getByLabel("Run name")).toHaveValue("e2e-wb-a-copy");
  await expect(form.getByLabel("Max steps", { exact: true })).toHaveValue("6");
  await expect(form.getByLabel("Learning rate")).toHaveValue("0.003");
  await expect(form.getByLabel("Dataset")).toHaveValue(seeded.dataset);
  await expect(form.getByLabel(/Extra config/)).toHaveValue(/eval_every_steps/);
  await snapBoth(page, "run-clone");
});

test("a run shows step X / Y, tokens/s, and its eval-loss point inside the plot on whole-number steps", async ({ page, request }) => {
  const { runs } = await seedWorkbench(request);
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`/#/runs/${runs[0]}`);
  const progress = page.getByTestId("train-progress");
  await expect(progress).toContainText("step 6 / 6");
  await expect(progress).toContainText(/\d tokens\/s/);
  await expect(page.getByRole("progressbar", { name: "Training progress" })).toHaveAttribute("aria-valuenow", "100");
  const chart = page.getByRole("img", { name: /^loss by step/ });
  await expect(chart).toHaveAttribute("aria-label", /eval loss \(\d+ points\)/);
  const [xMin, xMax] = ((await chart.getAttribute("data-x-range")) ?? "").split(",").map(Number);
  // the last eval point sits at step 6: strictly inside the drawn range
  expect(xMin).toBeLessThan(1);
  expect(xMax).toBeGreaterThan(6);
  const ticks = ((await chart.getAttribute("data-x-ticks")) ?? "").split(",").map(Number);
  expect(ticks.length).toBeGreaterThan(1);
  for (const t of ticks) expect(Number.isInteger(t)).toBe(true);
  await snapBoth(page, "run-detail");
});

test("the evaluate button waits for a running evaluation, and the new predictions file appears without a reload", async ({ page, request }) => {
  const { runs } = await seedWorkbench(request);
  const name = "e2e-wb-eval2";
  const sets = await (await request.get(apiUrl("/api/evalsets?limit=500"))).json();
  if (!sets.data.some((s: { name: string }) => s.name === name)) {
    const items = [4, 6].map((n) => JSON.stringify({ id: `wb2-${n}`, prompt: `What is ${n} + 1?`, expected_answer: String(n + 1) }));
    expect((await request.post(apiUrl(`/api/evalsets?name=${name}`), { data: items.join("\n"), headers: { "content-type": "application/x-ndjson" } })).ok()).toBeTruthy();
  }
  await page.goto(`/#/runs/${runs[1]}`);
  await expect(page.getByRole("link", { name: /^final\// }).first()).toBeVisible();
  await expect(page.getByRole("link", { name: `predictions-${name}.jsonl` })).toHaveCount(0);
  const card = page.getByRole("form", { name: "Evaluate this run" });
  await card.getByLabel("Eval set").selectOption(name);
  await card.getByLabel("Max new tokens").fill("8");
  await card.getByRole("button", { name: "Evaluate" }).click();
  await expect(card.getByRole("button", { name: /Evaluating|Queueing/ })).toBeDisabled();
  // the card shows the new evaluation (not the seed's finished one) before its status is read
  await expect(page.getByTestId("evaluation").locator("dd").first()).toHaveText(name);
  await expect(page.getByTestId("evaluation-status")).toHaveText("succeeded", { timeout: 240_000 });
  await expect(card.getByRole("button", { name: "Evaluate" })).toBeEnabled();
  await expect(page.getByRole("link", { name: `predictions-${name}.jsonl` })).toBeVisible({ timeout: 15_000 });
});

/** An evaluation of known predictions (another system's file): one wrong step, one truncated output. */
async function knownEvaluation(request: APIRequestContext): Promise<string> {
  await seedWorkbench(request);
  const lines = [
    { id: "wb-3", prediction: "Reasoning:\n1. 3+3=7\nAnswer: 7" },
    { id: "wb-5", prediction: "Reasoning:\n1. 5+5=10\nAnswer: 10" },
    { id: "wb-7", prediction: "Reasoning:\n1. 7+7=14\nAnswer: 14" },
    { id: "wb-9", prediction: "Reasoning:\n1. 9+9=18\n2. 18+0=18\nAns", truncated: true },
  ];
  const res = await request.post(apiUrl(`/api/tunix/evaluations/external?eval_set=${WB_EVAL_SET}&model_name=e2e-known-predictions&judges=answer_correctness&judges=step_check`), {
    data: lines.map((l) => JSON.stringify(l)).join("\n"),
    headers: { "content-type": "application/x-ndjson" },
  });
  expect(res.ok(), await res.text()).toBeTruthy();
  const id = (await res.json()).id as string;
  await expect.poll(async () => (await (await request.get(apiUrl(`/api/tunix/evaluations/${id}`))).json()).status, { timeout: 120_000 }).toBe("succeeded");
  return id;
}

test("evaluation browser: every item with its verdicts, the wrong step marked, filters, links both ways", async ({ page, request }) => {
  const id = await knownEvaluation(request);
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`/#/evaluations/${id}`);
  const items = page.getByTestId("eval-item");
  await expect(items).toHaveCount(4);
  const wrong = items.filter({ hasText: "wb-3" });
  // step_check judges another system's file only when it knows the trace style; when it does,
  // the first wrong step is marked in the prediction (verdicts.test.ts covers the marking itself)
  const stepCheck = wrong.getByTestId("verdict-row").filter({ hasText: "step_check" });
  if ((await stepCheck.textContent())?.includes("wrong_step")) await expect(wrong.getByTestId("wrong-step")).toHaveText("3+3=7");
  await expect(wrong.getByTestId("item-expected")).toHaveText("6");
  await expect(wrong.getByTestId("verdict-row").filter({ hasText: "answer_correctness" })).toContainText("wrong");
  await expect(stepCheck.getByRole("cell").nth(2)).not.toBeEmpty();
  await expect(items.filter({ hasText: "wb-9" }).getByTestId("item-truncated")).toBeVisible();
  await snapBoth(page, "evaluation-browser");

  const filters = page.getByRole("search", { name: "Item filters" });
  await selectIn(filters, "Truncated").selectOption("1");
  await expect(items).toHaveCount(1);
  await expect(items.first()).toContainText("wb-9");
  await selectIn(filters, "Truncated").selectOption("");
  await selectIn(filters, "Section").selectOption("edge_case");
  await expect(items).toHaveCount(1);
  await selectIn(filters, "Section").selectOption("");
  await filters.getByLabel("Category").fill("small");
  await expect(items).toHaveCount(2);
  await filters.getByLabel("Category").fill("");
  await selectIn(filters, "Label").selectOption("wrong");
  await expect(items).toHaveCount(1);
  await expect(items.first()).toContainText("wb-3");
  await selectIn(filters, "Right or wrong").selectOption("1");
  await expect(page.getByText("No item matches these filters")).toBeVisible();
  await selectIn(filters, "Right or wrong").selectOption("");
  // the label filter reads the chosen judge's verdicts
  await selectIn(filters, "Judge").selectOption("step_check");
  const stepLabel = (await selectIn(filters, "Label").locator("option").nth(1).getAttribute("value")) ?? "";
  await selectIn(filters, "Label").selectOption(stepLabel);
  await expect(items.first().getByTestId("verdict-row").first()).toContainText(stepLabel);
  await selectIn(filters, "Label").selectOption("");
  await selectIn(filters, "Judge").selectOption("");
  await filters.getByLabel("Search").fill("7 + 7");
  await expect(items).toHaveCount(1);
  await filters.getByLabel("Search").fill("");
  await expect(items).toHaveCount(4);

  // budget analytics of the same evaluation
  await page.getByRole("tab", { name: "Reasoning budget" }).click();
  await expect(page.getByTestId("budget")).toBeVisible();
  await expect(page.getByTestId("budget-truncation")).toHaveText("25.0%");
  await expect(page.getByRole("img", { name: /^share by token budget/ })).toBeVisible();
  await expect(page.getByTestId("buckets-tokens").getByTestId("bucket-row").first()).toBeVisible();
  await expect(page.getByTestId("buckets-steps").getByTestId("bucket-row").first()).toBeVisible();
  await snapBoth(page, "evaluation-budget");

  // links: evaluation -> its job -> back, and -> the scored run
  await page.getByTestId("evaluation-links").getByRole("link").nth(1).click();
  await expect(page).toHaveURL(/#\/runs\/[0-9a-f-]{36}$/);
  const job = page.getByTestId("job-evaluation");
  await expect(job).toContainText(WB_EVAL_SET);
  // an evaluate job logs no training metrics: no empty loss card (its numbers are linked above)
  await expect(page.getByText("No metrics yet")).toHaveCount(0);
  await snapBoth(page, "evaluate-job");
  await job.getByRole("link", { name: /Open the items/ }).click();
  await expect(page).toHaveURL(new RegExp(`#/evaluations/${id}`));
  await page.getByTestId("evaluation-links").getByRole("link").first().click();
  await expect(page).toHaveURL(/#\/runs\/[0-9a-f-]{36}$/);
});

test("a trained run's evaluation links to its item browser; compare draws eval loss above the item table", async ({ page, request }) => {
  const { runs, evaluations } = await seedWorkbench(request);
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`/#/runs/${runs[0]}`);
  await page.getByTestId("evaluation-browser-link").click();
  await expect(page).toHaveURL(new RegExp(`#/evaluations/(${evaluations[0]}|[0-9a-f-]{36})`));
  await expect(page.getByTestId("eval-item").first()).toBeVisible();

  await page.goto(`/#/compare?a=${runs[0]}&b=${runs[1]}&eval_set=${WB_EVAL_SET}`);
  const chart = page.getByRole("img", { name: /^loss by step/ });
  await expect(chart).toHaveAttribute("aria-label", /A eval \(\d+ points\).*B eval \(\d+ points\)/);
  const ticks = ((await chart.getAttribute("data-x-ticks")) ?? "").split(",").map(Number);
  for (const t of ticks) expect(Number.isInteger(t)).toBe(true);
  const chartBox = await chart.boundingBox();
  const tableBox = await page.getByRole("tablist", { name: "Item outcome" }).boundingBox();
  expect(chartBox!.y).toBeLessThan(tableBox!.y);
  await expect(page.getByTestId("compare-evaluations").getByRole("link")).toHaveCount(2);
  await snapBoth(page, "compare");
});

test("leaderboard: sort and filter by accuracy at a budget; the sort menu keeps its judges with no rows", async ({ page, request }) => {
  await seedWorkbench(request);
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`/#/leaderboard?eval_set=${WB_EVAL_SET}`);
  const filters = page.getByRole("search", { name: "Leaderboard filters" });
  await expect(page.getByTestId("leaderboard-row").first()).toBeVisible();
  await filters.getByLabel("Token budget").fill("16");
  await expect(page).toHaveURL(/budget=16/);
  await expect(page.getByRole("columnheader", { name: "Accuracy at 16 tokens" })).toBeVisible();
  await selectIn(filters, "Sort by").selectOption("budget");
  await expect(page).toHaveURL(/sort=budget/);
  await expect(page.getByTestId("budget-accuracy").first()).toBeVisible();
  // the order arrow sits on the column the rows are sorted by
  await expect(page.getByRole("columnheader", { name: "Accuracy at 16 tokens ↓" })).toBeVisible();
  await expect(page.getByRole("columnheader", { name: "Primary score", exact: true })).toBeVisible();
  await filters.getByLabel("Min accuracy at budget").fill("0.99");
  await expect(page.getByText("No evaluation matches these filters")).toBeVisible();
  await filters.getByLabel("Min accuracy at budget").fill("");
  await snapBoth(page, "leaderboard-budget");
  await page.goto("/#/leaderboard?model=e2e-no-such-model");
  await expect(page.getByText("No evaluation matches these filters")).toBeVisible();
  await expect(selectIn(filters, "Sort by").locator("option", { hasText: "Judge: answer_correctness" })).toHaveCount(1);
});

test("dataset page: the loss-mask preview with markers and lint; the build form counts matches as you type", async ({ page, request }) => {
  const { dataset } = await seedWorkbench(request);
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`/#/datasets/${encodeURIComponent(dataset)}`);
  const preview = page.getByTestId("mask-preview");
  await expect(preview).toBeVisible();
  const tokens = preview.getByTestId("mask-tokens");
  await expect(tokens.locator(".tok-loss").first()).toBeVisible();
  await expect(tokens.locator(".tok-masked").first()).toBeVisible();
  await expect(tokens.locator(".tok-marker").first()).toBeVisible();
  await expect(page.getByTestId("lint-warnings")).toBeVisible();
  await page.getByRole("combobox", { name: "Max sequence length" }).selectOption("64");
  await expect(preview).toContainText("over 64 tokens");
  await snapBoth(page, "dataset-mask");

  await page.goto("/#/datasets/build");
  const form = page.getByRole("form", { name: "Build a dataset" });
  await form.getByLabel("Category").fill("e2ewb");
  await expect(page.getByTestId("match-count")).toHaveText("12 traces match");
  await form.getByLabel("Category").fill("e2ewb, e2e-no-such-category");
  await expect(page.getByTestId("match-count")).toHaveText("12 traces match");
  await form.getByLabel("Min steps").fill("1");
  await expect(page.getByTestId("match-count")).toContainText("at most 12");
  await form.getByLabel("Min steps").fill("");
  await form.getByLabel("Category").fill("e2e-no-such-category");
  await expect(page.getByTestId("match-count")).toHaveText("0 traces match");
  await form.getByLabel("Category").fill("e2ewb");
  await snapBoth(page, "dataset-build");
});

test("a running evaluation shows items generated and judged of the total, with an ETA", async ({ page, request }) => {
  const { runs } = await seedWorkbench(request);
  const name = "e2e-wb-eval48";
  const sets = await (await request.get(apiUrl("/api/evalsets?limit=500"))).json();
  if (!sets.data.some((s: { name: string }) => s.name === name)) {
    const items = Array.from({ length: 48 }, (_, n) => JSON.stringify({ id: `wb48-${n}`, prompt: `What is ${n} + ${n + 2}?`, expected_answer: String(2 * n + 2) }));
    expect((await request.post(apiUrl(`/api/evalsets?name=${name}`), { data: items.join("\n"), headers: { "content-type": "application/x-ndjson" } })).ok()).toBeTruthy();
  }
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`/#/runs/${runs[1]}`);
  const card = page.getByRole("form", { name: "Evaluate this run" });
  await card.getByLabel("Eval set").selectOption(name);
  await card.getByLabel("Max new tokens").fill("24");
  await card.getByRole("button", { name: "Evaluate" }).click();
  await expect(page.getByTestId("evaluation").locator("dd").first()).toHaveText(name);
  // read the progress line as the page polls it, until the evaluation ends
  const progress = page.getByTestId("eval-progress");
  const status = page.getByTestId("evaluation-status");
  const seen: string[] = [];
  const deadline = Date.now() + 240_000;
  while ((await status.textContent()) !== "succeeded") {
    if (Date.now() > deadline) throw new Error(`evaluation still ${await status.textContent()}; progress seen: ${seen.join(" | ")}`);
    if (await progress.count()) {
      const text = (await progress.textContent()) ?? "";
      if (seen.at(-1) !== text) seen.push(text);
      if (seen.length === 1) await snap(page, "evaluation-progress");
    }
    await page.waitForTimeout(200);
  }
  expect(seen.some((t) => /\d+ \/ 48 generated\d+ \/ 48 judged.*ETA/.test(t)), seen.join(" | ")).toBe(true);
  // finished evaluations carry no progress
  await expect(progress).toHaveCount(0);
});
