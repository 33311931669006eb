// Starts a real `tunix-rt serve` with auth on, on a fresh SQLite home and a free port, creates an
// admin token and signs in with it once; the specs reuse that session cookie (fixtures.ts).
import { request } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createToken, e2eEnv, tunixRtBin } from "./tokens";

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

async function waitHealthy(url: string, child: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`tunix-rt serve exited with ${child.exitCode}; see ${logPath}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`tunix-rt serve did not become healthy within 60 s; see ${logPath}`);
}

/** POST /api/auth/session once and saves the session cookie for every spec's browser context. */
async function signIn(url: string, token: string, path: string): Promise<void> {
  const ctx = await request.newContext({ baseURL: url });
  const res = await ctx.post("/api/auth/session", { data: { token } });
  if (!res.ok()) throw new Error(`sign-in with the e2e admin token answered ${res.status()}: ${await res.text()}`);
  await ctx.storageState({ path });
  await ctx.dispose();
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const home = mkdtempSync(join(tmpdir(), "tunix-rt-e2e-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const adminToken = createToken("e2e", "admin", home);
  const logPath = join(home, "serve.log");
  const log = openSync(logPath, "a");
  const child = spawn(tunixRtBin(), ["serve", "--host", "127.0.0.1", "--port", String(port)], {
    env: e2eEnv(home),
    cwd: home,
    stdio: ["ignore", log, log],
  });
  await waitHealthy(url, child, logPath);
  const storageState = join(home, "storage-state.json");
  await signIn(url, adminToken, storageState);
  process.env.E2E_BASE_URL = url;
  process.env.E2E_HOME = home;
  process.env.E2E_ADMIN_TOKEN = adminToken;
  process.env.E2E_STORAGE_STATE = storageState;
  return async () => {
    child.kill("SIGTERM");
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
    if (!process.env.E2E_KEEP_HOME) rmSync(home, { recursive: true, force: true });
  };
}
