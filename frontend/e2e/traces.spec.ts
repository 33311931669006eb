import { expect, snap, test } from "./fixtures";

test("create a trace with the form, then view it with steps in order", async ({ page }) => {
  await page.goto("/#/traces/new");
  await page.getByLabel("Prompt").fill("What is 19 + 23?");
  await page.getByLabel("Step 0 content").fill("9+3=12, write 2 carry 1");
  await page.getByRole("button", { name: "Add step" }).click();
  await page.getByLabel("Step 1 content").fill("1+2+1=4, write 4");
  await page.getByLabel("Final answer").fill("42");
  await page.getByLabel("Category").fill("arithmetic");
  await snap(page, "trace-new");
  await page.getByRole("button", { name: "Create trace" }).click();
  await expect(page).toHaveURL(/#\/traces\/[0-9a-f-]{36}$/);
  const steps = page.getByTestId("trace-step");
  await expect(steps).toHaveCount(2);
  await expect(steps.nth(0)).toContainText("9+3=12");
  await expect(steps.nth(1)).toContainText("1+2+1=4");
  await expect(page.getByTestId("final-answer")).toHaveText("42");
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
  await expect(page.getByRole("alert")).toBeVisible();
});
