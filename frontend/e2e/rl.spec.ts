import type { APIRequestContext } from "@playwright/test";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { apiUrl, expect, snap, test } from "./fixtures";

// A GRPO run through the UI on the real server: the launch form's GRPO fields (and the server's
// refusal shown at its field), a tiny run (tiny-llama from random weights, 3 steps, G = 2, 2 prompts,
// 12 new tokens, beta 0, samples every step), its reward curves and the samples view.

const TAG = "e2erl";
const STEPS = 3;
const RUN_TIMEOUT = 300_000;

/** A 12-trace dataset of sums (prompt + final_answer: the RL prompts and their expected answers). */
async function rlDataset(request: APIRequestContext): Promise<string> {
  const traces = [2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14].map((n) => ({
    prompt: `What is ${n} + ${n + 2}?`,
    steps: [{ i: 0, type: "compute", content: `${n}+${n + 2}=${2 * n + 2}` }],
    final_answer: String(2 * n + 2),
    meta: { category: TAG, source: "e2e" },
  }));
  expect((await request.post(apiUrl("/api/traces/batch"), { data: traces })).ok()).toBeTruthy();
  const built = await request.post(apiUrl("/api/datasets/build"), { data: { name: TAG, filters: { category: [TAG] }, eval_fraction: 0.25 } });
  expect(built.ok(), await built.text()).toBeTruthy();
  return (await built.json()).key as string;
}

test("GRPO: launch form, live reward curves, samples with G completions and their rewards", async ({ page, request }) => {
  test.setTimeout(420_000);
  const dataset = await rlDataset(request);

  await page.goto("/#/runs/new");
  const form = page.getByRole("form", { name: "Launch a training run" });
  await form.getByLabel("Run name").fill("grpo-e2e");
  await form.getByLabel("Dataset").selectOption(dataset);
  await form.getByLabel("Algorithm").selectOption("grpo");
  const rl = form.getByRole("group", { name: "GRPO" });
  await expect(rl).toBeVisible();
  await form.getByLabel("Max steps", { exact: true }).fill(String(STEPS));
  await form.getByLabel("Batch size").fill("4");
  await form.getByLabel("Learning rate").fill("0.001");
  await form.getByLabel("Warmup steps").fill("0");
  await form.getByLabel("Max sequence length").fill("96");
  await form.getByLabel("Log every (steps)").fill("1");
  await rl.getByLabel("Prompts per step").fill("2");
  await rl.getByLabel("Max new tokens").fill("12");
  await rl.getByLabel("KL weight (beta)").fill("0");
  await rl.getByLabel("Samples every (steps)").fill("1");
  await rl.getByLabel("Samples prompts (K)").fill("2");
  await rl.getByRole("button", { name: "Add a judge" }).click();
  await rl.getByLabel("Judge 2", { exact: true }).fill("step_check");
  await rl.getByLabel("Weight 2", { exact: true }).fill("0.5");
  await rl.getByLabel("Mode 2").selectOption("process");

  // G = 1 passes the form's own checks; the server refuses it by name, shown at the field
  await rl.getByLabel("Group size (G)").fill("1");
  await form.getByLabel("Dry run (validate only)").check();
  await form.getByRole("button", { name: "Validate" }).click();
  const gField = rl.locator("label", { hasText: "Group size (G)" });
  await expect(gField.getByRole("alert")).toContainText("G >= 2");
  await expect(page.getByRole("alert").filter({ hasText: "config.rl.num_generations" })).toBeVisible();
  for (const width of [1400, 800]) {
    await page.setViewportSize({ width, height: 900 });
    await snap(page, `rl-launch-${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 860 });

  await rl.getByLabel("Group size (G)").fill("2");
  await form.getByLabel("Dry run (validate only)").uncheck();
  await form.getByRole("button", { name: "Launch run" }).click();
  await expect(page).toHaveURL(/#\/runs\/[0-9a-f-]{36}$/, { timeout: 60_000 });
  const runId = page.url().split("/").pop()!;

  // the Rewards tab grows as steps are logged; wait for the run to end with every step on the chart
  const status = page.locator(".page-header").getByTestId("run-status");
  const reward = page.getByRole("img", { name: /^reward by step/ });
  await expect(status).toHaveText("succeeded", { timeout: RUN_TIMEOUT });
  await expect(reward).toHaveAttribute("aria-label", new RegExp(`reward mean \\(${STEPS} points\\)`));
  await expect(page.getByRole("img", { name: /^judge reward by step: answer_correctness \(3 points\), step_check \(3 points\)/ })).toBeVisible();
  for (const name of [/^tokens by step/, /^share by step: clipped ratio/, /^share by step: frac_reward_zero_std/]) await expect(page.getByRole("img", { name })).toBeVisible();
  await expect(page.getByRole("img", { name: /^kl by step/ })).toHaveCount(0); // beta 0: no KL logged
  for (const width of [1400, 800]) {
    await page.setViewportSize({ width, height: 900 });
    await snap(page, `rl-run-${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 860 });

  // the samples of every step: the latest first, each prompt with its G = 2 completions
  await page.getByRole("tab", { name: "Samples" }).click();
  const samples = page.getByTestId("rl-samples");
  const stepPicker = samples.getByLabel("Step");
  await expect(stepPicker).toHaveValue(String(STEPS));
  await expect(stepPicker.locator("option")).toHaveText(["1", "2", "3"]);
  await stepPicker.selectOption("1");
  const prompts = samples.getByTestId("rl-prompt");
  await expect(prompts).toHaveCount(2);
  for (const prompt of await prompts.all()) {
    const completions = prompt.getByTestId("rl-completion");
    await expect(completions).toHaveCount(2);
    await expect(completions.first()).toContainText(/reward -?\d/);
    await expect(completions.first()).toContainText("advantage");
    await expect(completions.first().locator("td", { hasText: "answer_correctness" })).toBeVisible();
    await expect(completions.first().locator("td", { hasText: "step_check" })).toBeVisible();
  }
  const api = (await (await request.get(apiUrl(`/api/tunix/runs/${runId}/samples?step=1`))).json()) as { data: { prompt_id: string }[] };
  await expect(prompts.first()).toHaveAttribute("aria-label", `Prompt ${api.data[0]!.prompt_id}`);
  for (const width of [1400, 800]) {
    await page.setViewportSize({ width, height: 900 });
    await snap(page, `rl-samples-${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 860 });

  // a random-weight model writes no checkable step: a known line (a step the run never reached,
  // appended to the run's own samples.jsonl) shows the first wrong step marked, 1-based
  const run = (await (await request.get(apiUrl(`/api/tunix/runs/${runId}`))).json()) as { run_dir: string };
  const known = (text: string, wrong: number | null, reward: number) => ({ text, rewards: { answer_correctness: reward, step_check: wrong ? 0 : 1 }, reward, advantage: reward - 0.5, first_wrong_step: wrong, tokens: text.length, clipped: false });
  const line = {
    step: 99,
    prompt_id: "e2e-known",
    prompt: "What is 8 + 10?",
    expected_answer: "18",
    completions: [known("Reasoning:\n1. 8+10=18\nAnswer: 18", null, 1), known("Reasoning:\n1. 8+2=10\n2. 10+8=19\nAnswer: 19", 2, 0)],
  };
  appendFileSync(join(run.run_dir, "samples.jsonl"), JSON.stringify(line) + "\n");
  await page.reload();
  await page.getByRole("tab", { name: "Samples" }).click();
  await samples.getByLabel("Step").selectOption("99");
  const marked = samples.getByTestId("rl-completion").nth(1).getByTestId("wrong-step");
  await expect(marked).toHaveText("2. 10+8=19");
  await expect(samples.getByTestId("rl-completion").first().getByTestId("wrong-step")).toHaveCount(0);
  await snap(page, "rl-samples-marked");

  // the runs table: filtered to GRPO runs, with the reward column shown for them
  await page.goto("/#/runs?algorithm=grpo");
  await expect(page.getByLabel("Algorithm")).toHaveValue("grpo");
  const row = page.getByRole("row").filter({ hasText: "grpo-e2e" });
  await expect(row).toBeVisible();
  await expect(page.getByRole("columnheader", { name: /Reward/ })).toBeVisible();
});
