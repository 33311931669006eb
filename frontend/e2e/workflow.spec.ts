import type { APIRequestContext, Page } from "@playwright/test";
import { apiUrl, expect, snap, test } from "./fixtures";

// The whole loop through the UI on the fresh server: generate traces → build a dataset → launch a
// tiny training run → watch its logs and loss curve → evaluate it → a second run (evaluated on its
// own) → both on the leaderboard → compare them item by item → promote one into the registry.
// Kept CPU-cheap: 8 steps of the ~0.8M-parameter tiny-llama on 32 traces, a 6-item eval set.
// The file name sorts after traces.spec.ts on purpose: that spec counts the generated traces it lists.

const STEPS = 8;
const EVAL_SET = "e2e-duels-eval";
const RUN_TIMEOUT = 240_000;

/** Registers a 6-item eval set of freshly dealt duels (the UI lists eval sets; registering one is API/CLI only). */
async function registerEvalSet(request: APIRequestContext): Promise<void> {
  const dealt = await request.post(apiUrl("/api/ungar/high-card-duel/generate"), { data: { count: 6, seed: 9001, persist: false } });
  expect(dealt.ok(), await dealt.text()).toBeTruthy();
  const traces = (await dealt.json()).traces as { prompt: string; final_answer: string }[];
  const items = traces.map((t, n) => JSON.stringify({ id: `duel-${n}`, prompt: t.prompt, expected_answer: t.final_answer, category: "high_card_duel" }));
  const res = await request.post(apiUrl(`/api/evalsets?name=${EVAL_SET}`), { data: items.join("\n"), headers: { "content-type": "application/x-ndjson" } });
  expect(res.ok(), await res.text()).toBeTruthy();
}

/** Fills the launch form with a tiny run and submits it; answers the new run's id from the URL. */
async function launchTinyRun(page: Page, opts: { name: string; dataset?: string; learningRate: string; evalSet?: string }): Promise<string> {
  const form = page.getByRole("form", { name: "Launch a training run" });
  await form.getByLabel("Run name").fill(opts.name);
  if (opts.dataset) await form.getByLabel("Dataset").selectOption(opts.dataset);
  await form.getByLabel("Max steps", { exact: true }).fill(String(STEPS));
  await form.getByLabel("Batch size").fill("8");
  await form.getByLabel("Learning rate").fill(opts.learningRate);
  await form.getByLabel("Warmup steps").fill("1");
  await form.getByLabel("Log every (steps)").fill("1");
  if (opts.evalSet) await form.getByLabel("Evaluate on (eval set)").selectOption(opts.evalSet);
  await form.getByRole("button", { name: "Launch run" }).click();
  await expect(page).toHaveURL(/#\/runs\/[0-9a-f-]{36}$/);
  return page.url().split("/").pop()!;
}

/**
 * Watches the run page until the run succeeds; answers the train-loss point counts the chart showed
 * on the way and the progress line's texts while the run was running.
 */
async function watchRun(page: Page): Promise<{ seen: number[]; progress: string[] }> {
  const seen: number[] = [];
  const progress: string[] = [];
  const chart = page.getByRole("img", { name: /^loss by step/ });
  const status = page.locator(".page-header").getByTestId("run-status");
  const bar = page.getByTestId("train-progress");
  const deadline = Date.now() + RUN_TIMEOUT;
  for (;;) {
    const label = (await chart.count()) ? await chart.getAttribute("aria-label") : null;
    const points = Number(/train loss \((\d+) points\)/.exec(label ?? "")?.[1] ?? 0);
    if (seen.at(-1) !== points) seen.push(points);
    const state = (await status.textContent()) ?? "";
    if (state === "running" && (await bar.count())) progress.push((await bar.textContent()) ?? "");
    if (state === "succeeded" && points === STEPS) return { seen, progress };
    if (["failed", "cancelled"].includes(state)) throw new Error(`run ${state}: ${await page.getByRole("alert").allTextContents()}`);
    if (Date.now() > deadline) throw new Error(`run not done after ${RUN_TIMEOUT / 1000} s (status ${state}, ${points} points)`);
    await page.waitForTimeout(250);
  }
}

test("the full loop: traces → dataset → two trained runs → evaluation → leaderboard → compare → registry", async ({ page, request }) => {
  test.setTimeout(600_000);
  let dataset = "";
  let runA = "";
  let runB = "";

  await test.step("generate traces", async () => {
    await page.goto("/#/traces/generate");
    await page.getByLabel("Count").fill("40");
    await page.getByLabel("Seed").fill("2024");
    await page.getByRole("button", { name: "Generate and save 40" }).click();
    await expect(page.getByTestId("generate-result")).toContainText(/Stored \d+ new traces/);
    await page.getByRole("link", { name: "Open them in Traces" }).click();
    await expect(page.getByTestId("trace-row").first()).toBeVisible();
    await snap(page, "flow-traces");
  });

  await test.step("build a dataset of 32 of them", async () => {
    await registerEvalSet(request);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Datasets" }).click();
    await page.getByRole("link", { name: "Build dataset" }).click();
    const form = page.getByRole("form", { name: "Build a dataset" });
    await form.getByLabel("Name").fill("e2e-duels");
    await form.getByLabel("Category").fill("high_card_duel");
    await form.getByLabel("Limit").fill("32");
    await form.getByLabel("Eval fraction").fill("0.25");
    await snap(page, "flow-dataset-build");
    await form.getByRole("button", { name: "Build dataset" }).click();
    await expect(page).toHaveURL(/#\/datasets\/e2e-duels/);
    await expect(page.getByTestId("record-count")).toHaveText("32");
    dataset = decodeURIComponent(page.url().split("/datasets/")[1]!);
    await snap(page, "flow-dataset");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Datasets" }).click();
    await expect(page.getByTestId("dataset-row").filter({ hasText: dataset })).toContainText("32");
    await expect(page.getByRole("cell", { name: EVAL_SET })).toBeVisible();
    await snap(page, "flow-datasets");
  });

  await test.step("launch a tiny run and watch its logs and loss curve fill in", async () => {
    await page.getByTestId("dataset-row").filter({ hasText: dataset }).getByRole("link").click();
    await page.getByRole("link", { name: "Train on this" }).click();
    await expect(page.getByLabel("Dataset")).toHaveValue(dataset);
    runA = await launchTinyRun(page, { name: "e2e-duel-a", learningRate: "0.003" });
    const { seen, progress } = await watchRun(page);
    // the curve grew while the page was open: it started with fewer points than it ended with
    expect(seen[0]!).toBeLessThan(STEPS);
    expect(seen.at(-1)).toBe(STEPS);
    // while it ran, the progress line gave step X / Y with an ETA and the throughput
    expect(progress.some((t) => new RegExp(`step \\d / ${STEPS}.*ETA \\d.*\\d tokens/s`).test(t)), progress.join(" | ")).toBe(true);
    await expect(page.getByTestId("logs")).toContainText(`step ${STEPS}/${STEPS} loss`);
    // finished: the loop's own time, in tenths under 10 s (never a bare "0s" beside a 6 s Duration)
    await expect(page.getByTestId("train-progress")).toContainText(/training took \d+(\.\d)?s/);
    await expect(page.getByRole("img", { name: /^lr by step: learning rate/ })).toBeVisible();
    await expect(page.getByRole("link", { name: /^final\// }).first()).toBeVisible();
  });

  await test.step("evaluate it from the run page", async () => {
    const card = page.getByRole("form", { name: "Evaluate this run" });
    await expect(page.getByText("Not evaluated yet")).toBeVisible();
    await card.getByLabel("Eval set").selectOption(EVAL_SET);
    await card.getByLabel("Max new tokens").fill("24");
    await card.getByRole("button", { name: "Evaluate" }).click();
    await expect(page.getByTestId("evaluation-status")).toHaveText("succeeded", { timeout: RUN_TIMEOUT });
    await expect(page.getByTestId("evaluation-score")).toContainText("[");
    await snap(page, "flow-run-detail");
  });

  await test.step("a second run, evaluated automatically through its config", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runs" }).click();
    await page.getByRole("link", { name: "Launch run" }).click();
    runB = await launchTinyRun(page, { name: "e2e-duel-b", dataset, learningRate: "0.01", evalSet: EVAL_SET });
    await watchRun(page);
    await expect(page.getByTestId("evaluation-status")).toHaveText("succeeded", { timeout: RUN_TIMEOUT });
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runs" }).click();
    const rows = page.getByTestId("run-row");
    await expect(rows.filter({ hasText: "e2e-duel-a" }).first()).toContainText("succeeded");
    await expect(rows.filter({ hasText: `evaluate-e2e-duel-b-${EVAL_SET}` })).toContainText("succeeded");
    await snap(page, "flow-runs");
  });

  await test.step("both on the leaderboard, then compared item by item", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Leaderboard" }).click();
    const filter = page.getByRole("search", { name: "Leaderboard filters" }).getByLabel("Eval set");
    await filter.fill(EVAL_SET);
    await filter.press("Enter");
    const rows = page.getByTestId("leaderboard-row");
    await expect(rows).toHaveCount(2);
    await expect(rows.first().getByTestId("leaderboard-score")).toContainText("[");
    await rows.filter({ hasText: "e2e-duel-a" }).getByRole("checkbox").check();
    await rows.filter({ hasText: "e2e-duel-b" }).getByRole("checkbox").check();
    await snap(page, "flow-leaderboard");
    await page.getByRole("button", { name: "Compare 2/2" }).click();
    await expect(page).toHaveURL(new RegExp(`#/compare\\?a=(${runA}&b=${runB}|${runB}&b=${runA})&eval_set=${EVAL_SET}`));
    await expect(page.getByTestId("p-value")).toBeVisible();
    await page.getByRole("tab", { name: /^All/ }).click();
    await expect(page.getByTestId("item-row")).toHaveCount(6);
    await expect(page.getByTestId("config-change").filter({ hasText: "learning_rate" })).toContainText("0.01");
    await expect(page.getByRole("img", { name: /^loss by step/ })).toHaveAttribute("aria-label", /\(8 points\).*\(8 points\)/);
    await snap(page, "flow-compare");
  });

  await test.step("promote the candidate into the registry", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Registry" }).click();
    await page.getByLabel("Name", { exact: true }).fill("e2e-duel-tutor");
    await page.getByRole("button", { name: "Create family" }).click();
    await page.getByTestId("family-row").filter({ hasText: "e2e-duel-tutor" }).getByRole("link", { name: "e2e-duel-tutor" }).click();
    await page.getByLabel("Run id (a succeeded training run)").fill(runB);
    await page.getByLabel("Aliases (comma-separated)").fill("champion");
    await page.getByRole("button", { name: "Promote", exact: true }).click();
    await expect(page.getByRole("status").filter({ hasText: "Registered" })).toBeVisible();
    const version = page.getByTestId("version-row");
    await expect(version).toHaveCount(1);
    await expect(version).toContainText("champion");
    await expect(version).toContainText("answer_correctness on");
    await snap(page, "flow-registry-family");
    await version.getByRole("link", { name: "v1", exact: true }).click();
    await expect(page.getByTestId("provenance")).toContainText("e2e-duel-b");
    await expect(page.getByRole("link", { name: /Download/ })).toBeVisible();
    await snap(page, "flow-registry-version");
  });

  await test.step("the overview counts it all", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" }).click();
    await expect(page.getByTestId("health")).toContainText("healthy");
    await expect(page.getByTestId("run-row").filter({ hasText: "e2e-duel-b" }).first()).toBeVisible();
    await snap(page, "flow-overview");
  });
});
