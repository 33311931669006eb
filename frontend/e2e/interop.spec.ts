// Bring your own data (#19) through the UI: a Parquet file of chat rows uploaded on Traces → Import
// (sent with the Parquet content type, read by the server through `datasets`), a broken row named
// by its number, and a predictions file judged with a trace style so step_check gives verdicts.
// The Parquet files are written in each test by the project's venv Python with pyarrow.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { apiUrl, expect, snap, test } from "./fixtures";

const python = process.env.TUNIX_RT_PYTHON ?? resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", ".venv", "bin", "python");
const WRITE_PARQUET = "import json, sys\nimport pyarrow as pa, pyarrow.parquet as pq\npq.write_table(pa.Table.from_pylist(json.loads(sys.argv[1])), sys.argv[2])\n";

/** A Parquet file of `rows` in the temporary folder, written by pyarrow; its path. */
function parquet(name: string, rows: object[]): string {
  const out = join(tmpdir(), `e2e-${name}-${Date.now()}.parquet`);
  execFileSync(python, ["-c", WRITE_PARQUET, JSON.stringify(rows), out], { stdio: ["ignore", "ignore", "pipe"] });
  return out;
}

test("a Parquet file of chat rows is uploaded and becomes traces", async ({ page }) => {
  const tag = Date.now();
  const ask = (n: number) => ({ role: "user", content: `e2e-parquet ${tag}: what is ${n} * 7?` });
  const rows = [
    { messages: [ask(6), { role: "assistant", content: "<think>6 * 7 = 42</think>The answer is 42." }] },
    { messages: [ask(3), { role: "assistant", content: "21", reasoning_content: "1. 3 * 7 = 21\n2. 21 / 7 = 3, so it checks" }] },
  ];
  await page.goto("/#/traces/import");
  await page.getByLabel("JSONL file").setInputFiles(parquet("chats", rows));
  await expect(page.getByLabel("Format").locator("option")).toContainText(["auto (from the first record)", "a Hugging Face datasets table (each row sniffed)"]);
  await page.getByLabel("Format").selectOption("chat");
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByTestId("import-result")).toContainText("2 rows: 2 created, 0 duplicates");
  await snap(page, "trace-import-parquet");
  await page.goto(`/#/traces?q=${encodeURIComponent(`e2e-parquet ${tag}`)}`);
  await expect(page.getByTestId("trace-row")).toHaveCount(2);
  await expect(page.getByTestId("trace-row").filter({ hasText: "6 * 7" })).toContainText("42");
});

test("a broken Parquet row is named by its number and nothing is imported", async ({ page, request }) => {
  const tag = Date.now();
  const rows = [
    { question: `e2e-gsm8k ${tag}: 2 + 2?`, answer: "2 + 2 = 4\n#### 4" },
    { question: `e2e-gsm8k ${tag}: 3 + 3?`, answer: "no final marker" },
  ];
  await page.goto("/#/traces/import");
  await page.getByLabel("JSONL file").setInputFiles(parquet("broken", rows));
  await expect(page.getByLabel("Format").locator("option", { hasText: "OpenTelemetry" })).toHaveCount(0);
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByRole("alert")).toContainText("row 2");
  const listed = await request.get(apiUrl(`/api/traces?q=${encodeURIComponent(`e2e-gsm8k ${tag}`)}`));
  expect((await listed.json()).data).toHaveLength(0);
});

test("a predictions file judged with a trace style gets step_check verdicts", async ({ page, request }) => {
  const evalSet = `e2e-style-${Date.now()}`;
  const items = [2, 4].map((n) => JSON.stringify({ id: `s-${n}`, prompt: `What is ${n} + ${n}?`, expected_answer: String(2 * n) }));
  const made = await request.post(apiUrl(`/api/evalsets?name=${evalSet}`), { data: items.join("\n"), headers: { "content-type": "application/x-ndjson" } });
  expect(made.ok(), await made.text()).toBeTruthy();
  const rows = [
    { id: "s-2", prediction: "Reasoning:\n1. 2 + 2 = 4\n2. 4 - 2 = 2\nAnswer: 4" },
    { id: "s-4", prediction: "Reasoning:\n1. 4 + 4 = 8\n2. 8 - 4 = 5\nAnswer: 8" },
  ];
  const file = join(tmpdir(), `e2e-style-${Date.now()}.jsonl`);
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  await page.goto("/#/leaderboard");
  const card = page.getByRole("form", { name: "Evaluate a predictions file" });
  await card.getByLabel("Predictions file").setInputFiles(file);
  await card.getByLabel("Eval set").selectOption(evalSet);
  await card.getByLabel("Model name").fill("e2e-styled-system");
  await card.getByLabel("Trace style").selectOption("numbered");
  await card.getByRole("button", { name: "Evaluate" }).click();
  await expect(page.getByTestId("external-result")).toContainText("2 of 2 rows matched (predictions");
  const href = await page.getByRole("link", { name: "Open the evaluation" }).getAttribute("href");
  const id = href?.split("/").pop() ?? "";
  await expect.poll(async () => (await (await request.get(apiUrl(`/api/tunix/evaluations/${id}`))).json()).status, { timeout: 120_000 }).toBe("succeeded");
  const evaluation = await (await request.get(apiUrl(`/api/tunix/evaluations/${id}`))).json();
  expect(evaluation.scorecard.judges.step_check.labels).toEqual({ all_correct: 1, wrong_step: 1 });
  expect(evaluation.scorecard.judges.format.labels).toEqual({ well_formed: 2 });
});
