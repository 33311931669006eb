import { apiUrl, expect, test } from "./fixtures";

// Empty states that only a fresh server shows. Spec files run in alphabetical order in one server
// (playwright.config.ts: one worker, not fully parallel), and global setup starts that server on a
// new home, so a check here runs before sweeps.spec.ts and tuning.spec.ts make their sweeps (no
// spec before this file makes one). A non-empty list here means a spec that runs earlier now makes
// sweeps: the precondition says so, instead of a puzzling failure on the page.

test("the sweep list starts empty and says what to do", async ({ page, request }) => {
  const sweeps = await (await request.get(apiUrl("/api/tuning/jobs?limit=1"))).json();
  expect(sweeps.pagination.total, "a spec that runs before empty.spec.ts made a sweep").toBe(0);
  await page.goto("/#/tuning");
  await expect(page.getByText("No sweeps yet")).toBeVisible();
  const create = page.getByRole("link", { name: "Create one" });
  await expect(create).toBeVisible();
  await create.click();
  await expect(page).toHaveURL(/#\/tuning\/new$/);
});
