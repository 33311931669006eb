import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiUrl, expect, snap, test } from "./fixtures";

test("create a trace with the form, then view it with steps in order and the wrong step marked", async ({ page }) => {
  await page.goto("/#/traces/new");
  await page.getByLabel("Prompt").fill("What is 19 + 23?");
  await page.getByLabel("Step 0 content").fill("9+3=12, write 2 carry 1");
  await page.getByRole("button", { name: "Add step" }).click();
  await page.getByLabel("Step 1 content").fill("1+2+1=5, write 5");
  await page.getByLabel("Final answer").fill("52");
  await page.getByLabel("Category").fill("arithmetic");
  await snap(page, "trace-new");
  await page.getByRole("button", { name: "Create trace" }).click();
  await expect(page).toHaveURL(/#\/traces\/[0-9a-f-]{36}$/);
  const steps = page.getByTestId("trace-step");
  await expect(steps).toHaveCount(2);
  await expect(steps.nth(0)).toContainText("9+3=12");
  await expect(steps.nth(1)).toContainText("1+2+1=5");
  await expect(page.getByTestId("final-answer")).toHaveText("52");
  // step_check flags the second step (1+2+1 is 4) and not the first
  await expect(steps.nth(1)).toHaveClass(/step-wrong/);
  await expect(steps.nth(1)).toContainText("not 5");
  await expect(steps.nth(0)).not.toHaveClass(/step-wrong/);
  await expect(page.getByTestId("score-step_check")).toContainText("0.500");
  await snap(page, "trace-view");
});

test("the JSON form shows the API's message for a bad trace", async ({ page }) => {
  await page.goto("/#/traces/new");
  await page.getByRole("tab", { name: "JSON" }).click();
  await page.getByLabel("Trace JSON").fill('{"prompt": "p", "steps": [], "final_answer": "a", "colour": 1}');
  await page.getByRole("button", { name: "Create from JSON" }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("colour");
  await expect(alert).toContainText("steps");
});

test("a missing trace shows the API's 404 message", async ({ page }) => {
  await page.goto("/#/traces/00000000-0000-0000-0000-000000000000");
  await expect(page.getByRole("alert")).toContainText("not found");
});

test("generate → preview → save → list → view → score", async ({ page }) => {
  await page.goto("/#/traces/generate");
  await page.getByLabel("Count").fill("30");
  await page.getByLabel("Seed").fill("7");
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByText("Preview 1 of 3")).toBeVisible();
  await snap(page, "trace-generate");
  await page.getByRole("button", { name: "Generate and save 30" }).click();
  await expect(page.getByTestId("generate-result")).toContainText("Stored 30 new traces");
  await page.getByRole("link", { name: "Open them in Traces" }).click();
  await expect(page).toHaveURL(/category=high_card_duel/);
  await expect(page.getByTestId("trace-row")).toHaveCount(25);
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByTestId("trace-row")).toHaveCount(5);
  await page.getByRole("button", { name: "Previous" }).click();
  await snap(page, "traces");
  await page.getByTestId("trace-row").first().getByRole("link").click();
  await expect(page.getByTestId("trace-step").first()).toBeVisible();
  await expect(page.getByTestId("score-baseline")).toBeVisible();
  await expect(page.getByTestId("score-step_check")).toBeVisible();
});

test("search narrows the list and an empty result says so", async ({ page, request }) => {
  const body = { prompt: "What is 600 + 66?", steps: [{ i: 0, type: "compute", content: "600+66=666" }], final_answer: "666" };
  expect((await request.post(apiUrl("/api/traces"), { data: body })).ok()).toBeTruthy();
  await page.goto("/#/traces");
  await page.getByRole("searchbox", { name: "Search" }).fill("600 + 66");
  await expect(page.getByTestId("trace-row")).toHaveCount(1);
  await page.getByRole("searchbox", { name: "Search" }).fill("no such text anywhere");
  await expect(page.getByText("No trace matches these filters")).toBeVisible();
});

test("upload a JSONL file with progress, then compare two of its traces", async ({ page }) => {
  const rows = [
    { prompt: "What is 12 * 3?", steps: [{ i: 0, type: "compute", content: "12*3=36" }], final_answer: "36" },
    {
      prompt: "What is 12 * 3?",
      steps: [
        { i: 0, type: "compute", content: "12*3=35" },
        { i: 1, type: "verify", content: "check done" },
      ],
      final_answer: "35",
    },
  ];
  const file = join(tmpdir(), `e2e-upload-${Date.now()}.jsonl`);
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  await page.goto("/#/traces/import");
  await page.getByLabel("JSONL file").setInputFiles(file);
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByTestId("import-result")).toContainText("2 lines: 2 created");
  await expect(page.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
  await snap(page, "trace-import");

  await page.goto("/#/traces?q=12%20*%203");
  await expect(page.getByTestId("trace-row")).toHaveCount(2);
  await page.getByRole("checkbox").nth(0).check();
  await page.getByRole("checkbox").nth(1).check();
  await page.getByRole("button", { name: "Compare 2/2" }).click();
  await expect(page).toHaveURL(/traces\/compare\?base=.+&other=.+/);
  await expect(page.getByText("different final answers")).toBeVisible();
  await expect(page.getByTestId("diff-replace").or(page.getByTestId("diff-insert")).first()).toBeVisible();
  await snap(page, "trace-compare");
});

test("a bad JSONL line is refused with the API's message", async ({ page }) => {
  const file = join(tmpdir(), `e2e-bad-${Date.now()}.jsonl`);
  writeFileSync(file, '{"prompt": "x"}\n');
  await page.goto("/#/traces/import");
  await page.getByLabel("JSONL file").setInputFiles(file);
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByRole("alert")).toContainText("line 1");
});

test("a GSM8K-shaped file imports with its format chosen", async ({ page }) => {
  const rows = [
    { question: "Ann has 48 apples and gives half away. How many are left?", answer: "Half of 48 is <<48/2=24>>24.\n#### 24" },
    { question: "Tom buys 3 pens at 2 dollars each. What does he pay?", answer: "3 * 2 = <<3*2=6>>6 dollars.\n#### 6" },
  ];
  const file = join(tmpdir(), `e2e-gsm8k-${Date.now()}.jsonl`);
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  await page.goto("/#/traces/import");
  await page.getByLabel("JSONL file").setInputFiles(file);
  await page.getByLabel("Format").selectOption("gsm8k");
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByTestId("import-result")).toContainText("2 lines: 2 created");
  await page.goto("/#/traces?q=48%20apples");
  await expect(page.getByTestId("trace-row")).toHaveCount(1);
  await expect(page.getByTestId("trace-row")).toContainText("24");
});
