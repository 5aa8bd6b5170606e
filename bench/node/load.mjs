// The Node load client: the reference implementation (capnweb 0.12.0) driving the benchmark
// scenarios against any Cap'n Web server, exactly as the Java LoadClient does, printing one
// tab-separated RESULT line per scenario and a table.
//
// Usage: node load.mjs --url http://127.0.0.1:PORT/rpc [--pid SERVER_PID] [--server NAME]
//          [--scenarios seq,conc256,pipeline,echo1m,batch] [--seconds 5] [--warmup 2]
// Scenarios: seq (one call at a time), conc256 (256 calls in flight on one session), pipeline
// (makeCounter + 10 pipelined increments, 16 chains in flight), echo1m (echo of a 1 MiB string),
// batch (one HTTP batch session per call, 8 in flight), sessions64 (square over 64 WebSocket
// sessions, one call at a time on each; not run by default), rawseq and raw256 (WebSocket echo
// with no RPC, against a raw echo server).

import { readFileSync } from "node:fs";
import { WebSocket } from "ws";
import { newHttpBatchRpcSession, newWebSocketRpcSession } from "capnweb";

if (typeof globalThis.WebSocket === "undefined") globalThis.WebSocket = WebSocket;

const opts = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
    console.error(`Options come in pairs --name value; got '${argv[i]}'.`);
    process.exit(2);
  }
  opts[argv[i].slice(2)] = argv[i + 1];
}
if (!opts.url?.startsWith("http://")) {
  console.error("Usage: node load.mjs --url http://HOST:PORT/rpc [--pid PID] [--server NAME] [--scenarios a,b] [--seconds S] [--warmup S]");
  process.exit(2);
}
const httpUrl = opts.url;
const wsUrl = httpUrl.replace(/^http/, "ws");
const pid = opts.pid ? Number(opts.pid) : null;
const seconds = Number(opts.seconds ?? 5);
const warmup = Number(opts.warmup ?? 2);
const clientName = opts.client ?? "node";
const serverName = opts.server ?? "server";
const scenarios = (opts.scenarios ?? "seq,conc256,pipeline,echo1m,batch").split(",");
const ONE_MIB = "x".repeat(1 << 20);
const CALL_SIZED = '["push",["pipeline",0,["square"],[7]]]';

// /proc/PID/stat: utime + stime (fields 14, 15) in ticks of 1/100 s, counted after the last ')'.
function cpuMicros() {
  if (pid === null) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 1).trim().split(/\s+/);
  return (Number(f[11]) + Number(f[12])) * 10000;
}
function peakRssKib() {
  if (pid === null) return -1;
  const m = /^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : -1;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(rank, 1) - 1];
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => process.hrtime.bigint();

// Keeps `inFlight` operations running through a warm-up and a measured window.
async function windowed(inFlight, op) {
  let windowStart = null;
  let windowEnd = null;
  let stopAt = null;
  let seq = 0;
  let failure = null;
  const latencies = [];
  async function loop() {
    while (stopAt === null && failure === null) {
      const start = now();
      try {
        await op(seq++);
      } catch (e) {
        failure = e;
        return;
      }
      const end = now();
      if (windowStart !== null && start >= windowStart && (windowEnd === null || end <= windowEnd)) {
        latencies.push(Number(end - start) / 1000);
      }
    }
  }
  const loops = [];
  for (let i = 0; i < inFlight; i++) loops.push(loop());
  await sleep(warmup * 1000);
  const cpu0 = cpuMicros();
  windowStart = now();
  await sleep(seconds * 1000);
  windowEnd = now();
  const cpu1 = cpuMicros();
  stopAt = windowEnd;
  await Promise.all(loops);
  if (failure) throw failure;
  latencies.sort((a, b) => a - b);
  return {
    ops: latencies.length,
    seconds: Number(windowEnd - windowStart) / 1e9,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpu: pid === null ? -1 : cpu1 - cpu0,
  };
}

function expect(value, expected) {
  if (value !== expected) throw new Error(`Expected ${expected} but the server returned ${value}`);
}

function openSocket() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { maxPayload: 64 * 1024 * 1024 });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

async function overSession(inFlight, makeOp) {
  const ws = await openSocket();
  const api = newWebSocketRpcSession(ws);
  try {
    return await windowed(inFlight, makeOp(api));
  } finally {
    api[Symbol.dispose]();
    ws.close();
  }
}

// `count` sessions, each with one call at a time: as many operations in flight as sessions, each
// taking an idle session and giving it back when its call is answered.
async function overSessions(count, makeOp) {
  const sockets = await Promise.all(Array.from({ length: count }, openSocket));
  const apis = sockets.map((ws) => newWebSocketRpcSession(ws));
  const idle = apis.map(makeOp);
  try {
    return await windowed(count, async (i) => {
      const op = idle.pop();
      try {
        await op(i);
      } finally {
        idle.push(op);
      }
    });
  } finally {
    for (const api of apis) api[Symbol.dispose]();
    for (const ws of sockets) ws.close();
  }
}

const square = (api) => async (i) => {
  const x = i % 1000;
  expect(await api.square(x), x * x);
};

const chain = (api) => async () => {
  const counter = api.makeCounter(0);
  const steps = [];
  for (let k = 0; k < 10; k++) steps.push(counter.increment(1));
  expect(await steps[9], 10);
  for (let k = 0; k < 9; k++) steps[k][Symbol.dispose]();
  counter[Symbol.dispose]();
};

const echo = (api) => async () => {
  const back = await api.echo(ONE_MIB);
  if (typeof back !== "string" || back.length !== ONE_MIB.length) throw new Error("echo returned something else than what was sent");
};

async function batchSquare(i) {
  const x = i % 1000;
  const api = newHttpBatchRpcSession(httpUrl);
  expect(await api.square(x), x * x);
}

async function raw(inFlight) {
  const ws = await openSocket();
  const waiting = [];
  ws.on("message", () => waiting.shift()?.());
  const send = () => new Promise((resolve) => {
    waiting.push(resolve);
    ws.send(CALL_SIZED);
  });
  try {
    return await windowed(inFlight, send);
  } finally {
    ws.close();
  }
}

async function run(scenario) {
  switch (scenario) {
    case "seq": return overSession(1, square);
    case "conc256": return overSession(256, square);
    case "pipeline": return overSession(16, chain);
    case "echo1m": return overSession(1, echo);
    case "batch": return windowed(8, batchSquare);
    case "sessions64": return overSessions(64, square);
    case "rawseq": return raw(1);
    case "raw256": return raw(256);
    default: throw new Error(`Unknown scenario '${scenario}'.`);
  }
}

const rows = [];
for (const scenario of scenarios) {
  const m = await run(scenario);
  const bytes = scenario === "echo1m" ? ONE_MIB.length : 0;
  const rss = peakRssKib();
  console.log(["RESULT", clientName, serverName, scenario, m.ops, m.seconds.toFixed(3), m.p50.toFixed(1),
    m.p99.toFixed(1), m.cpu, bytes, rss].join("\t"));
  const perSecond = m.ops / m.seconds;
  rows.push([`${clientName} -> ${serverName}`, scenario, perSecond.toFixed(0), m.p50.toFixed(0), m.p99.toFixed(0),
    m.cpu < 0 || m.ops === 0 ? "-" : (m.cpu / m.ops).toFixed(1),
    bytes ? (bytes * perSecond / 1e6).toFixed(1) : "-", rss < 0 ? "-" : (rss / 1024).toFixed(0)]);
}
const header = ["client -> server", "scenario", "ops/s", "p50 us", "p99 us", "server CPU us/op", "MB/s each way", "server peak RSS MiB"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const r of [header, ...rows]) {
  console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd());
}
process.exit(0);
