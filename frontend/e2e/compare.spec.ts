import type { APIRequestContext } from "@playwright/test";
import { apiUrl, expect, snap, test } from "./fixtures";

/** Two training runs that differ in learning rate, cancelled at once (no CPU spent on training). */
async function twoRuns(request: APIRequestContext): Promise<[string, string]> {
  const tag = `e2ecmp${Date.now()}`;
  const traces = [3, 4, 5, 6].map((n) => ({
    prompt: `What is ${n} + ${n}?`,
    steps: [{ i: 0, type: "compute", content: `${n}+${n}=${2 * n}` }],
    final_answer: String(2 * n),
    meta: { category: tag },
  }));
  expect((await request.post(apiUrl("/api/traces/batch"), { data: traces })).ok()).toBeTruthy();
  const built = await request.post(apiUrl("/api/datasets/build"), { data: { name: tag, filters: { category: [tag] } } });
  expect(built.ok(), await built.text()).toBeTruthy();
  const key = (await built.json()).key as string;
  const ids: string[] = [];
  for (const lr of [0.001, 0.003]) {
    const config = { model: "tiny-llama", dataset: key, max_steps: 5, learning_rate: lr };
    const res = await request.post(apiUrl("/api/tunix/run?mode=async"), { data: { name: `${tag}-lr${lr}`, config } });
    expect(res.ok(), await res.text()).toBeTruthy();
    const id = (await res.json()).id as string;
    expect((await request.post(apiUrl(`/api/tunix/runs/${id}/cancel`))).ok()).toBeTruthy();
    ids.push(id);
  }
  return [ids[0]!, ids[1]!];
}

test("without runs the page asks for two", async ({ page }) => {
  await page.goto("/#/compare");
  await expect(page.getByText("Pick two runs")).toBeVisible();
  await expect(page.getByRole("button", { name: "Compare", exact: true })).toBeDisabled();
});

test("pick two runs: the URL carries them, the config diff shows, and the item diff says why it is missing", async ({ page, request }) => {
  const [a, b] = await twoRuns(request);
  await page.goto("/#/compare");
  await page.getByLabel("Run A (baseline)").selectOption(a);
  await page.getByLabel("Run B (candidate)").selectOption(b);
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`a=${a}&b=${b}`));
  const change = page.getByTestId("config-change");
  await expect(change).toHaveCount(1);
  await expect(change).toContainText("learning_rate");
  await expect(change).toContainText("0.001");
  await expect(change).toContainText("0.003");
  await expect(page.getByText("no successful evaluations on a shared eval set")).toBeVisible();
  await expect(page.getByText("No loss logged").or(page.getByRole("img", { name: /loss by step/ }))).toBeVisible();
  await snap(page, "compare");

  // swapping sides and reloading from the URL keeps the view linkable
  await page.getByRole("button", { name: "Swap A and B" }).click();
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`a=${b}&b=${a}`));
  await page.reload();
  await expect(page.getByTestId("config-change")).toContainText("0.003");
  await expect(page.getByLabel("Run A (baseline)")).toHaveValue(b);
});

test("an unknown run shows the API's 404 message", async ({ page }) => {
  const zero = "00000000-0000-0000-0000-000000000000";
  await page.goto(`/#/compare?a=${zero}&b=00000000-0000-0000-0000-000000000001`);
  await expect(page.getByRole("alert")).toContainText("not found");
});
