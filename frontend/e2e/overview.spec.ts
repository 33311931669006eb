import { expect, snap, test } from "./fixtures";

test("overview shows the service healthy", async ({ page }) => {
  await page.goto("/");
  const health = page.getByTestId("health");
  await expect(health).toContainText("healthy");
  await expect(health).toContainText("ok");
  await snap(page, "overview");
});

test("narrow window keeps the navigation reachable", async ({ page }) => {
  await page.setViewportSize({ width: 420, height: 900 });
  await page.goto("/");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Traces" })).toBeVisible();
  await snap(page, "overview-narrow");
});

test("unknown page says so", async ({ page }) => {
  await page.goto("/#/no/such/page");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});
