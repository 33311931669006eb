// Starts a real `tunix-rt serve` on a fresh SQLite home and a free port for the suite.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

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

export default async function globalSetup(): Promise<() => Promise<void>> {
  const home = mkdtempSync(join(tmpdir(), "tunix-rt-e2e-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const exe = process.env.TUNIX_RT_BIN ?? join(repo, ".venv", "bin", "tunix-rt");
  const env: NodeJS.ProcessEnv = { ...process.env, TUNIX_RT_HOME: home, TUNIX_RT_LOG_LEVEL: "WARNING" };
  delete env.TUNIX_RT_DATABASE_URL;
  const logPath = join(home, "serve.log");
  const log = openSync(logPath, "a");
  const child = spawn(exe, ["serve", "--host", "127.0.0.1", "--port", String(port)], {
    env,
    cwd: home,
    stdio: ["ignore", log, log],
  });
  await waitHealthy(url, child, logPath);
  process.env.E2E_BASE_URL = url;
  process.env.E2E_HOME = home;
  return async () => {
    child.kill("SIGTERM");
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
    if (!process.env.E2E_KEEP_HOME) rmSync(home, { recursive: true, force: true });
  };
}
