import { apiUrl, expect, snap, test } from "./fixtures";

// The families, the empty versions list and the API's refusals; workflow.spec.ts promotes a real
// trained and evaluated run.

test("create a model family, open it, and see what it needs next", async ({ page }) => {
  await page.goto("/#/registry");
  await page.getByLabel("Name", { exact: true }).fill("e2e-tutor");
  await page.getByLabel("Description").fill("made by the e2e suite");
  await page.getByRole("button", { name: "Create family" }).click();
  const row = page.getByTestId("family-row").filter({ hasText: "e2e-tutor" });
  await expect(row).toContainText("made by the e2e suite");
  await snap(page, "registry");

  await row.getByRole("link", { name: "e2e-tutor" }).click();
  await expect(page).toHaveURL(/#\/registry\/e2e-tutor$/);
  await expect(page.getByRole("heading", { name: "e2e-tutor" })).toBeVisible();
  await expect(page.getByText("registry://e2e-tutor/champion")).toBeVisible();
  await expect(page.getByText("No versions yet")).toBeVisible();
  await expect(page.getByText("Aliases point at versions: promote one first.")).toBeVisible();
  await snap(page, "registry-family");
});

test("promotion refusals show the API's message", async ({ page, request }) => {
  expect((await request.post(apiUrl("/api/models"), { data: { name: "e2e-refusals" } })).ok()).toBeTruthy();
  await page.goto("/#/registry/e2e-refusals");
  const runId = page.getByLabel("Run id (a succeeded training run)");
  await runId.fill("00000000-0000-0000-0000-000000000000");
  await page.getByRole("button", { name: "Promote", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText("run 00000000-0000-0000-0000-000000000000 not found");

  await runId.fill("not-a-uuid");
  await page.getByLabel("Label (default: the next v1, v2, …)").fill("bad label!");
  await page.getByRole("button", { name: "Promote", exact: true }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("run_id");
  await expect(alert).toContainText("label");
});

test("a taken family name is refused, and a missing family or version says not found", async ({ page, request }) => {
  expect((await request.post(apiUrl("/api/models"), { data: { name: "e2e-taken" } })).ok()).toBeTruthy();
  await page.goto("/#/registry");
  await page.getByLabel("Name", { exact: true }).fill("e2e-taken");
  await page.getByRole("button", { name: "Create family" }).click();
  await expect(page.getByRole("alert")).toContainText("already exists");

  await page.goto("/#/registry/no-such-family");
  await expect(page.getByRole("alert")).toContainText("not found");
  await page.goto("/#/registry/versions/00000000-0000-0000-0000-000000000000");
  await expect(page.getByRole("alert")).toContainText("not found");
});
