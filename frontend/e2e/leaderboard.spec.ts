import { expect, snap, test } from "./fixtures";

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
  const judge = page.getByRole("search", { name: "Leaderboard filters" }).getByLabel("Judge");
  await judge.fill("e2e-no-such-judge");
  await judge.press("Enter");
  await expect(page.getByRole("alert")).toContainText("unknown judge 'e2e-no-such-judge'");
  await page.goto("/#/leaderboard?sort=bogus");
  await expect(page.getByRole("alert")).toContainText("sort");
});
