import { apiUrl, expect, snap, test } from "./fixtures";

// A sweep over an unknown dataset is refused at create: the specs' sweeps use this one.
test.beforeAll(async ({ playwright }) => {
  const request = await playwright.request.newContext({ extraHTTPHeaders: { Authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN}` } });
  const traces = [1, 2, 3, 4].map((n) => ({ prompt: `What is ${n} + 10?`, steps: [{ i: 0, type: "compute", content: `${n}+10=${n + 10}` }], final_answer: String(n + 10), meta: { category: "e2e-arith" } }));
  expect((await request.post(apiUrl("/api/traces/batch"), { data: traces })).ok()).toBeTruthy();
  const built = await request.post(apiUrl("/api/datasets/build"), { data: { name: "e2e-arith", filters: { category: ["e2e-arith"] } } });
  expect(built.ok(), await built.text()).toBeTruthy();
  expect((await built.json()).key).toBe("e2e-arith-v1");
  await request.dispose();
});

// The empty sweep list ("No sweeps yet", "Create one") is checked in empty.spec.ts, which runs
// before any spec makes a sweep.

test("create a sweep with the search-space editor, see it listed, then cancel it", async ({ page }) => {
  await page.goto("/#/tuning");
  await page.getByRole("link", { name: "New sweep" }).click();
  await page.getByLabel("Name", { exact: true }).fill("e2e-lr-sweep");
  await page.getByLabel("Dataset").fill("e2e-arith-v1");
  await page.getByLabel("Trials", { exact: true }).fill("3");
  // the editor starts with learning_rate (loguniform) and batch_size (choice); add a randint
  await page.getByRole("button", { name: "Add dimension" }).click();
  await page.getByLabel("Dimension 3 key").fill("warmup_steps");
  await page.getByLabel("Dimension 3 distribution").selectOption("randint");
  await page.getByLabel("Dimension 3 min").fill("0");
  await page.getByLabel("Dimension 3 max").fill("10");
  await page.getByLabel("Dimension 1 min").fill("0.0002");
  await page.getByLabel("Start the sweep at once").uncheck();
  await snap(page, "tuning-new");
  await page.getByRole("button", { name: "Create sweep" }).click();

  await expect(page).toHaveURL(/#\/tuning\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: "e2e-lr-sweep" })).toBeVisible();
  await expect(page.getByTestId("run-status").first()).toHaveText("created");
  const space = page.getByTestId("search-space");
  await expect(space).toContainText("loguniform(0.0002, 0.003)");
  await expect(space).toContainText("choice(16, 32)");
  await expect(space).toContainText("randint(0, 10)");
  await expect(page.getByText("Trials (0 of 3 finished)")).toBeVisible();
  await expect(page.getByText("No trials yet")).toBeVisible();
  await expect(page.getByRole("button", { name: "Promote best trial" })).toBeDisabled();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeEnabled();
  await snap(page, "tuning-detail");

  await page.getByRole("button", { name: "Cancel sweep" }).click();
  await page.getByRole("group", { name: "Cancel this sweep and its trials?" }).getByRole("button", { name: "Yes, cancel sweep" }).click();
  await expect(page.getByTestId("run-status").first()).toHaveText("cancelled");
  await expect(page.getByRole("button", { name: "Cancel sweep" })).toHaveCount(0);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tuning" }).click();
  const row = page.getByTestId("sweep-row").filter({ hasText: "e2e-lr-sweep" });
  await expect(row).toContainText("cancelled");
  await expect(row).toContainText("e2e-arith-v1");
  await snap(page, "tuning");
});

test("a sweep over an unknown dataset is refused at create, naming the field", async ({ page }) => {
  await page.goto("/#/tuning/new");
  await page.getByLabel("Name", { exact: true }).fill("bad-dataset-sweep");
  await page.getByLabel("Dataset").fill("e2e-no-such-dataset-v1");
  await page.getByRole("button", { name: "Create and start" }).click();
  await expect(page.getByRole("alert")).toContainText("dataset_key");
  await expect(page).toHaveURL(/#\/tuning\/new$/);
});

test("a sweep over an unknown eval set is refused at create, naming the field", async ({ page }) => {
  await page.goto("/#/tuning/new");
  await page.getByLabel("Name", { exact: true }).fill("bad-evalset-sweep");
  await page.getByLabel("Dataset").fill("e2e-arith-v1");
  await page.getByLabel("Eval set").fill("e2e-no-such-eval-set");
  await page.getByRole("button", { name: "Create and start" }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("eval_set");
  await expect(alert).toContainText("e2e-no-such-eval-set");
  await expect(alert).not.toContainText("dataset_key");
  await expect(page).toHaveURL(/#\/tuning\/new$/);
});

test("an unknown search-space key is refused with the API's message", async ({ page }) => {
  await page.goto("/#/tuning/new");
  await page.getByLabel("Name", { exact: true }).fill("bad-sweep");
  await page.getByLabel("Dataset").fill("e2e-arith-v1");
  await page.getByLabel("Dimension 2 key").fill("lr_typo");
  await page.getByRole("button", { name: "Create and start" }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("search_space.lr_typo");
  await expect(alert).toContainText("not a training config key");
  await expect(page).toHaveURL(/#\/tuning\/new$/);
});

test("the editor names rows it cannot send before asking the API", async ({ page }) => {
  await page.goto("/#/tuning/new");
  await page.getByLabel("Name", { exact: true }).fill("half-sweep");
  await page.getByLabel("Dataset").fill("e2e-arith-v1");
  await page.getByLabel("Dimension 2 values").fill("");
  await page.getByRole("button", { name: "Remove dimension 1" }).click();
  await page.getByRole("button", { name: "Create and start" }).click();
  await expect(page.getByRole("alert")).toContainText("search_space.batch_size: choice needs values");
});

test("a missing sweep shows the API's 404 message, and the page fits a narrow window", async ({ page }) => {
  await page.setViewportSize({ width: 420, height: 900 });
  await page.goto("/#/tuning/00000000-0000-0000-0000-000000000000");
  await expect(page.getByRole("alert")).toContainText("not found");
  await page.goto("/#/tuning/new");
  await expect(page.getByRole("button", { name: "Add dimension" })).toBeVisible();
  await snap(page, "tuning-new-narrow");
});
