// Installs the pinned reference implementation with `npm ci`, unless node_modules already holds
// exactly what package-lock.json asks for (npm ci always starts from scratch, which is slow and
// needs the registry).

import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const stamp = join(here, "node_modules", ".interop-lock-sha256");
const lock = readFileSync(join(here, "package-lock.json"));
const digest = createHash("sha256").update(lock).digest("hex");

const installed = existsSync(stamp) && readFileSync(stamp, "utf8") === digest
    && existsSync(join(here, "node_modules", "capnweb", "package.json"))
    && existsSync(join(here, "node_modules", "ws", "package.json"));
if (installed) {
  console.log("interop: node_modules matches package-lock.json; skipping npm ci.");
  process.exit(0);
}

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const result = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: here, stdio: "inherit", shell: process.platform === "win32" });
if (result.error || result.status !== 0) {
  console.error(`interop: 'npm ci' failed in ${here} (${result.error ?? "exit " + result.status}); check that the npm registry is reachable.`);
  process.exit(1);
}
writeFileSync(stamp, digest);
