import { expect, snap, test } from "./fixtures";
import { createToken } from "./tokens";

// These start without the suite's session cookie, as a first visit does.
test.use({ storageState: { cookies: [], origins: [] } });

test("no session lands on sign-in; a bad token is refused; a good one signs in and shows who; sign-out returns", async ({ page }) => {
  await page.goto("/#/runs?status=failed");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(page).toHaveURL(/#\/signin\?next=%2Fruns%3Fstatus%3Dfailed$/);

  await page.getByLabel("API token").fill("trt_not-a-real-token");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("The server did not accept this token");
  await snap(page, "signin-refused");

  const token = createToken("e2e-writer", "write");
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/#\/runs\?status=failed$/);
  const session = page.getByTestId("session");
  await expect(session).toContainText("e2e-writer");
  await expect(session).toContainText("write");
  await snap(page, "signed-in");

  await session.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  // the cookie is gone, not just the page: the next visit asks again
  await page.goto("/#/traces");
  await expect(page).toHaveURL(/#\/signin\?next=%2Ftraces$/);
});

test("the sign-in link `tunix-rt serve` prints signs in at once and leaves no token in the address bar", async ({ page }) => {
  const token = createToken("e2e-link", "read");
  await page.goto(`/#/signin?token=${encodeURIComponent(token)}&next=%2Fdatasets`);
  await expect(page).toHaveURL(/#\/datasets$/);
  await expect(page.getByTestId("session")).toContainText("e2e-link");
  expect(page.url()).not.toContain(token);
  expect(await page.evaluate(() => window.history.length)).toBeLessThanOrEqual(2);
});

test("a read-only token gets the missing-scope message on a write, in place", async ({ page }) => {
  const token = createToken("e2e-reader", "read");
  await page.goto("/#/signin?next=%2Fregistry");
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("session")).toContainText("read");
  await page.getByLabel("Name", { exact: true }).fill("e2e-forbidden");
  await page.getByRole("button", { name: "Create family" }).click();
  await expect(page.getByRole("alert")).toContainText("This token lacks the write scope");
  await expect(page.getByRole("heading", { name: "Model registry" })).toBeVisible();
  await snap(page, "forbidden");
});
