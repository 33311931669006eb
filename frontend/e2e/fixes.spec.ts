import { apiUrl, expect, snap, test } from "./fixtures";

// The bugs a newcomer hit (issue #20, "Wrong or missing" and item 8), each fixed in the UI.

test("a search is cleared by navigating: the sidebar link does not put ?q= back", async ({ page }) => {
  await page.goto("/#/traces");
  const search = page.getByRole("searchbox", { name: "Search" });
  await search.fill("e2e-no-such-text-anywhere");
  await expect(page).toHaveURL(/q=e2e-no-such-text-anywhere/);
  await expect(page.getByText("No trace matches these filters")).toBeVisible();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Traces" }).click();
  await expect(page).toHaveURL(/#\/traces$/);
  await expect(search).toHaveValue("");
  // nothing writes the old search back once the debounce has had its time
  await page.waitForTimeout(600);
  await expect(page).toHaveURL(/#\/traces$/);
  // back/forward also move the box
  await page.goBack();
  await expect(search).toHaveValue("e2e-no-such-text-anywhere");
});

test("the Source column shows the value the Source filter matches, and a click filters by it", async ({ page, request }) => {
  const tag = `e2esrc${Date.now()}`;
  const trace = { prompt: `What is 1 + ${tag.length}?`, steps: [{ i: 0, type: "compute", content: `1+${tag.length}=${tag.length + 1}` }], final_answer: String(tag.length + 1), meta: { source: tag, generator: "arithmetic", category: "e2e-src" } };
  expect((await request.post(apiUrl("/api/traces"), { data: trace })).ok()).toBeTruthy();
  await page.goto("/#/traces?category=e2e-src");
  const row = page.getByTestId("trace-row").filter({ hasText: tag });
  await expect(row.getByTestId("trace-source")).toContainText(tag);
  await expect(row.getByTestId("trace-source")).toContainText("arithmetic");
  await row.getByRole("button", { name: tag }).click();
  await expect(page).toHaveURL(new RegExp(`source=${tag}`));
  await expect(page.getByRole("search").getByLabel("Source")).toHaveValue(tag);
  await expect(page.getByTestId("trace-row")).toHaveCount(1);
});

test("text filters apply as you type (debounced), with a hint, and never need Enter", async ({ page }) => {
  await page.goto("/#/leaderboard");
  await expect(page.getByText("Filters apply as you type.")).toBeVisible();
  await page.getByRole("search", { name: "Leaderboard filters" }).getByLabel("Model").fill("e2e-no-such-model");
  await expect(page).toHaveURL(/model=e2e-no-such-model/);
  await expect(page.getByText("No evaluation matches these filters")).toBeVisible();
  // the traces filters too
  await page.goto("/#/traces");
  await page.getByRole("search").getByLabel("Difficulty").fill("e2e-none");
  await expect(page).toHaveURL(/difficulty=e2e-none/);
  await expect(page.getByText("No trace matches these filters")).toBeVisible();
});

test("at 800 px the top bar keeps its height on a short page", async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 900 });
  await page.goto("/#/no/such/page");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  const bar = await page.locator(".sidebar").boundingBox();
  expect(bar?.height ?? 999).toBeLessThan(130);
  await snap(page, "narrow-topbar-800");
  await page.goto("/#/runs");
  await expect(page.getByRole("heading", { name: "Runs" })).toBeVisible();
  expect((await page.locator(".sidebar").boundingBox())?.height ?? 999).toBeLessThan(130);
  await snap(page, "runs-800");
});

test("Cancel asks first: No keeps the run, Yes cancels it", async ({ page, request }) => {
  const built = await request.post(apiUrl("/api/traces/batch"), {
    data: [5, 6, 7, 8].map((n) => ({ prompt: `What is ${n} * 2?`, steps: [{ i: 0, type: "compute", content: `${n}*2=${n * 2}` }], final_answer: String(n * 2), meta: { category: "e2e-cancel" } })),
  });
  expect(built.ok()).toBeTruthy();
  const ds = await request.post(apiUrl("/api/datasets/build"), { data: { name: "e2e-cancel", filters: { category: ["e2e-cancel"] } } });
  expect(ds.ok(), await ds.text()).toBeTruthy();
  const key = (await ds.json()).key as string;
  const res = await request.post(apiUrl("/api/tunix/run?mode=async"), { data: { name: "e2e-cancel-me", config: { model: "tiny-llama", dataset: key, max_steps: 100000, log_every_steps: 1 } } });
  expect(res.ok(), await res.text()).toBeTruthy();
  const id = (await res.json()).id as string;
  await page.goto(`/#/runs/${id}`);
  await page.getByRole("button", { name: "Cancel run" }).click();
  const ask = page.getByRole("group", { name: "Cancel this run?" });
  await expect(ask).toBeVisible();
  await snap(page, "cancel-confirm");
  await ask.getByRole("button", { name: "No" }).click();
  await expect(page.getByRole("button", { name: "Cancel run" })).toBeVisible();
  await expect(page.locator(".page-header").getByTestId("run-status")).not.toHaveText(/cancel/);
  await page.getByRole("button", { name: "Cancel run" }).click();
  await page.getByRole("button", { name: "Yes, cancel run" }).click();
  await expect(page.locator(".page-header").getByTestId("run-status")).toHaveText(/cancel/, { timeout: 30_000 });
});

test("lists show real totals: “1–25 of N”", async ({ page, request }) => {
  const api = await request.get(apiUrl("/api/tunix/runs?limit=1"));
  const total = (await api.json()).pagination.total as number | null;
  expect(typeof total, "GET /api/tunix/runs answers pagination.total").toBe("number");
  await page.goto("/#/runs");
  await expect(page.getByTestId("page-range")).toHaveText(new RegExp(`of ${total!.toLocaleString("en-US")}$`));
  await expect(page.getByTestId("page-range")).not.toContainText("more");
  await page.goto("/");
  await expect(page.getByTestId("stat-runs")).toHaveText(total!.toLocaleString("en-US"));
});

test("the traces list counts every match of its filters: “1–25 of 30”, then “26–30 of 30”", async ({ page, request }) => {
  const category = `e2e-total-${Date.now().toString(36)}`;
  const traces = Array.from({ length: 30 }, (_, n) => ({ prompt: `What is ${n} + 100?`, steps: [{ i: 0, type: "compute", content: `${n}+100=${n + 100}` }], final_answer: String(n + 100), meta: { category } }));
  expect((await request.post(apiUrl("/api/traces/batch"), { data: traces })).ok()).toBeTruthy();
  await page.goto(`/#/traces?category=${category}`);
  const range = page.getByTestId("page-range");
  await expect(range).toHaveText("1–25 of 30");
  await page.getByRole("navigation", { name: "Pages" }).getByRole("button", { name: "Next" }).click();
  await expect(range).toHaveText("26–30 of 30");
  // the unfiltered list and the overview show the same real total
  const all = (await (await request.get(apiUrl("/api/traces?limit=1"))).json()).pagination.total as number;
  await page.goto("/#/traces");
  await expect(range).toHaveText(`1–25 of ${all.toLocaleString("en-US")}`);
  await page.goto("/");
  await expect(page.getByTestId("stat-traces")).toHaveText(all.toLocaleString("en-US"));
});

test("every list of the UI shows its total, never “of more”", async ({ page, request }) => {
  // at least one dataset, so the datasets page has a range to read
  const category = `e2e-lists-${Date.now().toString(36)}`;
  const traces = [1, 2].map((n) => ({ prompt: `What is ${n} + 200?`, steps: [{ i: 0, type: "compute", content: `${n}+200=${n + 200}` }], final_answer: String(n + 200), meta: { category } }));
  expect((await request.post(apiUrl("/api/traces/batch"), { data: traces })).ok()).toBeTruthy();
  const built = await request.post(apiUrl("/api/datasets/build"), { data: { name: category, filters: { category: [category] } } });
  expect(built.ok(), await built.text()).toBeTruthy();
  for (const [path, view] of [["/api/datasets", "/#/datasets"], ["/api/tuning/jobs", "/#/tuning"]] as const) {
    const total = (await (await request.get(apiUrl(`${path}?limit=1`))).json()).pagination.total;
    expect(typeof total, `GET ${path} answers pagination.total`).toBe("number");
    if (total === 0) continue;
    await page.goto(view);
    await expect(page.getByTestId("page-range").first()).toHaveText(new RegExp(`of ${total.toLocaleString("en-US")}$`));
  }
  for (const path of ["/api/evalsets", "/api/models", "/api/auth/tokens", "/api/audit", "/api/tunix/evaluations"]) {
    const total = (await (await request.get(apiUrl(`${path}?limit=1`))).json()).pagination.total;
    expect(typeof total, `GET ${path} answers pagination.total`).toBe("number");
  }
  await page.goto("/");
  for (const stat of ["traces", "datasets", "runs"]) await expect(page.getByTestId(`stat-${stat}`)).not.toContainText("+");
});

test("a failed request and an empty list come from the one shared component", async ({ page }) => {
  await page.goto("/#/evaluations/00000000-0000-0000-0000-000000000000");
  await expect(page.getByRole("alert")).toContainText("Could not load the evaluation");
  await expect(page.getByRole("alert")).toContainText("not found");
  await page.goto("/#/registry/00000000-no-such-family");
  await expect(page.getByRole("alert")).toContainText("Could not load the family");
});

test("the app's scripts and styles are served gzip-compressed", async ({ page }) => {
  const assets: { url: string; encoding: string | null }[] = [];
  page.on("response", (r) => {
    if (/\/assets\/.+\.(js|css)$/.test(r.url())) assets.push({ url: r.url(), encoding: r.headers()["content-encoding"] ?? null });
  });
  await page.goto("/");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  expect(assets.length, "the page loaded its bundle from /assets/").toBeGreaterThan(0);
  for (const a of assets) expect(a.encoding, a.url).toBe("gzip");
});

test("a plain-path deep link opens the view it names", async ({ page }) => {
  await page.goto("/leaderboard?model=e2e-plain-path");
  await expect(page).toHaveURL(/\/#\/leaderboard\?model=e2e-plain-path$/);
  await expect(page.getByRole("heading", { name: "Leaderboard" })).toBeVisible();
  await page.goto("/runs/00000000-0000-0000-0000-000000000000");
  await expect(page).toHaveURL(/\/#\/runs\/0{8}-/);
  await expect(page.getByRole("alert")).toContainText("not found");
});
