// The e2e server's environment and its `tunix-rt` CLI, shared by global setup and the specs.
import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The `tunix-rt` executable the suite runs. */
export const tunixRtBin = (): string => process.env.TUNIX_RT_BIN ?? join(repo, ".venv", "bin", "tunix-rt");

/** The environment of the suite's server and CLI calls: its own SQLite home, auth on. */
export function e2eEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TUNIX_RT_HOME: home, TUNIX_RT_LOG_LEVEL: "WARNING", TUNIX_RT_AUTH: "required" };
  delete env.TUNIX_RT_DATABASE_URL;
  return env;
}

/** `tunix-rt tokens create NAME --scope SCOPE` in the suite's home; the token it prints. */
export function createToken(name: string, scope: "read" | "write" | "admin", home = process.env.E2E_HOME): string {
  if (!home) throw new Error("E2E_HOME is unset: global setup did not run");
  const out = execFileSync(tunixRtBin(), ["tokens", "create", name, "--scope", scope], { env: e2eEnv(home), cwd: home, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const token = out.trim();
  if (!token || /\s/.test(token)) throw new Error(`tokens create printed more than a token: ${JSON.stringify(out)}`);
  return token;
}
