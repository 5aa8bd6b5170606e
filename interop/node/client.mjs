// Runs interop cases with the reference client (npm capnweb) against a Cap'n Web server.
//
// Usage: node client.mjs URL [--list] [CASE...]
//   URL   ws://HOST:PORT/rpc (WebSocket sessions) or http://HOST:PORT/rpc (HTTP batch sessions)
//   CASE  case names; none means every case that applies to the URL's endpoint
//   --list  print the applicable case names instead of running them
//
// Prints one JSON line per case: {"case", "endpoint", "pass", "detail", "ms"}. Exits 0 when
// every case passed, 1 when one failed, 2 on bad usage.

import { WebSocket } from "./websocket-polyfill.mjs";
import { newHttpBatchRpcSession, newWebSocketRpcSession } from "capnweb";
import { cases } from "./cases.mjs";

const CASE_TIMEOUT_MS = Number(process.env.CASE_TIMEOUT_MS ?? 20000);

function usage(message) {
  console.error(`${message}\nUsage: node client.mjs ws://HOST:PORT/rpc|http://HOST:PORT/rpc [--list] [CASE...]`);
  process.exit(2);
}

const [url, ...rest] = process.argv.slice(2);
if (!url) usage("Missing the server URL.");
const endpoint = url.startsWith("ws://") || url.startsWith("wss://") ? "ws"
    : url.startsWith("http://") || url.startsWith("https://") ? "http" : null;
if (!endpoint) usage(`The URL must start with ws:// or http://, got '${url}'.`);

const list = rest.includes("--list");
const names = rest.filter((a) => a !== "--list");
const applicable = cases.filter((c) => c.endpoints.includes(endpoint));
let selected = applicable;
if (names.length > 0) {
  const unknown = names.filter((n) => !applicable.some((c) => c.name === n));
  if (unknown.length > 0) usage(`Unknown case(s) for the ${endpoint} endpoint: ${unknown.join(", ")}.`);
  selected = names.map((n) => applicable.find((c) => c.name === n));
}

if (list) {
  for (const c of selected) console.log(c.name);
  process.exit(0);
}

function detailOf(err) {
  if (err === undefined) return "";
  if (err instanceof Error) {
    const own = Object.keys(err).filter((k) => !["generatedMessage", "code", "actual", "expected", "operator"].includes(k));
    const extra = own.length ? ` ${JSON.stringify(Object.fromEntries(own.map((k) => [k, String(err[k])])))}` : "";
    const where = (err.stack ?? "").split("\n").find((l) => l.includes("cases.mjs")) ?? "";
    return `${err.name}: ${err.message}${extra}${where ? ` (${where.trim()})` : ""}`;
  }
  return `non-Error thrown: ${String(err)}`;
}

async function runCase(c) {
  const sockets = [];
  const stubs = [];
  const connect = () => {
    let stub;
    if (endpoint === "ws") {
      const ws = new WebSocket(url);
      ws.on("error", () => {});
      sockets.push(ws);
      stub = newWebSocketRpcSession(ws);
    } else {
      stub = newHttpBatchRpcSession(url);
    }
    stubs.push(stub);
    return stub;
  };
  let timer;
  const started = Date.now();
  try {
    await Promise.race([
      c.run({ connect, endpoint, url }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`case timed out after ${CASE_TIMEOUT_MS} ms`)), CASE_TIMEOUT_MS);
      }),
    ]);
    return { pass: true, detail: "", ms: Date.now() - started };
  } catch (err) {
    return { pass: false, detail: detailOf(err), ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
    for (const stub of stubs) {
      try { stub[Symbol.dispose](); } catch { /* already broken */ }
    }
    for (const ws of sockets) {
      try { ws.close(); } catch { /* already closed */ }
    }
  }
}

// A server that breaks a session must fail the case, not crash the runner.
process.on("unhandledRejection", () => {});

let failed = 0;
for (const c of selected) {
  const result = await runCase(c);
  if (!result.pass) failed++;
  console.log(JSON.stringify({ case: c.name, endpoint, ...result }));
}
process.exit(failed === 0 ? 0 : 1);
