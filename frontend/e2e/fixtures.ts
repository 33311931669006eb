// The suite's `test`: the server's URL from global setup, and a check that no page logs a console error.
import { test as base, expect, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const shots = join(dirname(fileURLToPath(import.meta.url)), "screenshots");
const EXPECTED_4XX = /Failed to load resource: the server responded with a status of 4\d\d/;

export const test = base.extend<{ consoleErrors: string[] }>({
  baseURL: async ({}, use) => {
    const url = process.env.E2E_BASE_URL;
    if (!url) throw new Error("E2E_BASE_URL is unset: global setup did not start the server");
    await use(url);
  },
  // every page starts signed in as the admin token of global setup (auth.spec.ts starts without)
  storageState: async ({}, use) => {
    const path = process.env.E2E_STORAGE_STATE;
    if (!path) throw new Error("E2E_STORAGE_STATE is unset: global setup did not sign in");
    await use(path);
  },
  // direct API calls of the specs carry the admin token as a bearer header
  request: async ({ playwright }, use) => {
    const ctx = await playwright.request.newContext({ extraHTTPHeaders: { Authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN}` } });
    await use(ctx);
    await ctx.dispose();
  },
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("console", (msg) => {
        // a 4xx the page shows to the user is expected; anything else is a bug
        if (msg.type() === "error" && !EXPECTED_4XX.test(msg.text())) errors.push(msg.text());
      });
      page.on("pageerror", (err) => errors.push(err.message));
      await use(errors);
      expect(errors, "console errors on the page").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Saves a full-page screenshot as e2e/screenshots/<name>.png (the review set for docs/ui.md). */
export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** The API base for direct requests from tests. */
export const apiUrl = (path: string) => `${process.env.E2E_BASE_URL}${path}`;
