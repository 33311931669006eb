import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiUrl, expect, snap, test } from "./fixtures";

// workflow.spec.ts covers a populated board (two trained and evaluated runs). Here: the empty
// states, the filter controls in the URL, and the API's refusals.

test("the leaderboard loads, and a filter that matches nothing says so", async ({ page }) => {
  await page.goto("/#/leaderboard");
  await expect(page.getByRole("heading", { name: "Leaderboard" })).toBeVisible();
  await expect(page.getByText("No evaluations yet").or(page.getByTestId("leaderboard-row").first())).toBeVisible();
  await snap(page, "leaderboard");

  const dataset = page.getByRole("search", { name: "Leaderboard filters" }).getByLabel("Dataset");
  await dataset.fill("e2e-no-such-dataset");
  await dataset.press("Enter");
  await expect(page).toHaveURL(/dataset=e2e-no-such-dataset/);
  await expect(page.getByText("No evaluation matches these filters")).toBeVisible();
});

test("sort, order and row mode live in the URL", async ({ page }) => {
  await page.goto("/#/leaderboard?sort=created_at&order=asc&all=1");
  await expect(page.getByLabel("Sort by")).toHaveValue("created_at");
  await expect(page.getByLabel("Order")).toHaveValue("asc");
  await expect(page.getByLabel("Rows")).toHaveValue("1");
  await page.getByLabel("Order").selectOption("desc");
  await expect(page).not.toHaveURL(/order=/);
  await expect(page.getByRole("button", { name: "Compare 0/2" })).toBeDisabled();
});

test("an unknown judge or sort is refused with the API's message", async ({ page }) => {
  await page.goto("/#/leaderboard");
  const judge = page.getByRole("search", { name: "Leaderboard filters" }).getByLabel("Judge", { exact: true });
  await judge.fill("e2e-no-such-judge");
  await judge.press("Enter");
  await expect(page.getByRole("alert")).toContainText("unknown judge 'e2e-no-such-judge'");
  await page.goto("/#/leaderboard?sort=bogus");
  await expect(page.getByRole("alert")).toContainText("sort");
});

test("another system's prediction file is judged and joins the leaderboard", async ({ page, request }) => {
  const evalSet = `e2e-ext-${Date.now()}`;
  const items = [2, 4].map((n) => JSON.stringify({ id: `x-${n}`, prompt: `What is ${n} + ${n}?`, expected_answer: String(2 * n) }));
  const made = await request.post(apiUrl(`/api/evalsets?name=${evalSet}`), { data: items.join("\n"), headers: { "content-type": "application/x-ndjson" } });
  expect(made.ok(), await made.text()).toBeTruthy();
  // the earlier system's shape: predicted_answer / expected_answer / id
  const rows = [
    { id: "x-2", predicted_answer: "The answer is 4", expected_answer: "4" },
    { id: "x-4", predicted_answer: "The answer is 9", expected_answer: "8" },
  ];
  const file = join(tmpdir(), `e2e-ext-${Date.now()}.jsonl`);
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  await page.goto("/#/leaderboard");
  const card = page.getByRole("form", { name: "Evaluate a predictions file" });
  await card.getByLabel("Predictions file").setInputFiles(file);
  await card.getByLabel("Eval set").selectOption(evalSet);
  await card.getByLabel("Model name").fill("e2e-other-system");
  await card.getByRole("button", { name: "Evaluate" }).click();
  await expect(page.getByTestId("external-result")).toContainText("2 of 2 rows matched (legacy");
  await page.getByRole("link", { name: "Open the evaluation" }).click();
  await expect(page.getByText("succeeded").first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText("e2e-other-system").first()).toBeVisible();
  await page.goto(`/#/leaderboard?eval_set=${evalSet}`);
  await expect(page.getByText("e2e-other-system").first()).toBeVisible();
  await snap(page, "leaderboard-external");
});
