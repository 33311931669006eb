import { apiUrl, expect, snap, test } from "./fixtures";

// Issue #20 item 7, validation before work starts: the dry run resolves the model (a preset, a
// local directory or registry://) and refuses a hub name in one line saying nothing is
// downloaded, and refuses by name a max_seq_length too small for any example. Nothing trains here.

test("a dry run refuses a hub model name, saying nothing is downloaded, and a too-small max_seq_length by name", async ({ page, request }) => {
  const name = `e2e-preflight-${Date.now().toString(36)}`;
  const traces = [1, 2, 3, 4].map((n) => ({ prompt: `What is ${n} + 30? Think it through.`, steps: [{ i: 0, type: "compute", content: `${n}+30=${n + 30}` }], final_answer: String(n + 30), meta: { category: name } }));
  expect((await request.post(apiUrl("/api/traces/batch"), { data: traces })).ok()).toBeTruthy();
  const built = await request.post(apiUrl("/api/datasets/build"), { data: { name, filters: { category: [name] } } });
  expect(built.ok(), await built.text()).toBeTruthy();
  const dataset = (await built.json()).key as string;

  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`/#/runs/new?dataset=${encodeURIComponent(dataset)}`);
  const form = page.getByRole("form", { name: "Launch a training run" });
  await expect(form.getByLabel("Dataset")).toHaveValue(dataset);
  await form.getByLabel(/^Model/).fill("no-such-org/no-such-model");
  await form.getByLabel("Dry run (validate only)").check();
  await form.getByRole("button", { name: "Validate" }).click();
  const refused = page.getByRole("alert").filter({ hasText: "The run was refused" });
  await expect(refused).toContainText("model");
  await expect(refused).toContainText("nothing is downloaded");
  await expect(page.getByTestId("dry-run")).toHaveCount(0);
  await snap(page, "dry-run-refused-1400");
  await page.setViewportSize({ width: 800, height: 900 });
  await snap(page, "dry-run-refused-800");
  await page.setViewportSize({ width: 1400, height: 900 });

  // a preset resolves, and the same form passes
  await form.getByLabel(/^Model/).fill("tiny-llama");
  await form.getByRole("button", { name: "Validate" }).click();
  await expect(page.getByTestId("dry-run")).toContainText("Dry run passed");

  // 8 tokens cannot hold any example's prompt and a completion token: refused by name
  await form.getByLabel("Max sequence length").fill("8");
  await form.getByRole("button", { name: "Validate" }).click();
  await expect(refused).toContainText("max_seq_length");
  await expect(refused).toContainText("too small");
  await expect(page.getByTestId("dry-run")).toHaveCount(0);
  // and no run was queued by any of it
  const runs = (await (await request.get(apiUrl(`/api/tunix/runs?dataset=${encodeURIComponent(dataset)}`))).json()).pagination.total;
  expect(runs).toBe(0);
});
