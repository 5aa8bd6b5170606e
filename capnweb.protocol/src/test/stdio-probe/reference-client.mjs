import { RpcSession, RpcTarget, RpcStub } from "capnweb";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";

const CP = process.env.PROBE_CP;

class StdioTransport {
  constructor() {
    this.child = spawn("java", ["-cp", CP, "demo.StdioServer"], { stdio: ["pipe", "pipe", "pipe"] });
    this.queue = []; this.waiters = []; this.buf = ""; this.log = [];
    this.stderr = "";
    this.child.stderr.on("data", d => { this.stderr += d; });
    this.child.stdout.on("data", d => {
      this.buf += d;
      let i;
      while ((i = this.buf.indexOf("\n")) >= 0) {
        let line = this.buf.slice(0, i); this.buf = this.buf.slice(i + 1);
        this.log.push("<- " + line);
        if (this.waiters.length) this.waiters.shift().resolve(line); else this.queue.push(line);
      }
    });
    this.child.on("exit", () => { for (let w of this.waiters) w.reject(new Error("server exited")); this.waiters = []; this.exited = true; });
  }
  send(m) { this.log.push("-> " + m); this.child.stdin.write(m + "\n"); }
  receive() {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    if (this.exited) return Promise.reject(new Error("server exited"));
    return new Promise((resolve, reject) => this.waiters.push({resolve, reject}));
  }
  abort(reason) { this.child.stdin.end(); }
  end() { this.child.stdin.end(); }
}

class Counter extends RpcTarget {
  constructor(i = 0) { super(); this.i = i; }
  increment(a = 1) { this.i += a; return this.i; }
  get value() { return this.i; }
}

let disposables = [];
function D(x) { disposables.push(x); return x; }
const tests = [];
function test(name, fn) { tests.push({name, fn}); }

async function withServer(fn) {
  let t = new StdioTransport();
  let session = new RpcSession(t);
  let stub = session.getRemoteMain();
  try {
    disposables = [];
    await fn(stub, session, t);
    for (let d of disposables.reverse()) { try { d[Symbol.dispose](); } catch (e) {} }
    if (!t.exited && !t.skipStats) {
      await new Promise(r => setTimeout(r, 100));
      let st = await stub.stats();
      // The stats call itself is not yet an export while it runs (as in the reference).
      assert.deepEqual(st, {imports: 1, exports: 1}, "Java server stats after the test");
      assert.deepEqual(session.getStats(), {imports: 1, exports: 1}, "client stats after the test");
    }
  } catch (e) {
    console.log(t.log.slice(-20).join("\n"));
    console.log(t.stderr);
    throw e;
  } finally {
    t.end();
  }
}

test("supports calls", () => withServer(async stub => {
  assert.equal(await stub.square(3), 9);
  assert.equal(await stub.square(1.5), 2.25);
}));

test("supports throwing errors", () => withServer(async stub => {
  await assert.rejects(async () => await stub.throwError(), e => e instanceof RangeError && e.message === "test error");
}));

test("missing member", () => withServer(async stub => {
  await assert.rejects(async () => await stub.nope(), e => e instanceof TypeError && e.message === "'nope' is not a function.");
  assert.equal(await stub.square(2), 4);
}));

test("then/catch/finally", () => withServer(async stub => {
  assert.equal(await stub.square(3).then(v => v * 2), 18);
  assert.equal(await stub.throwError().catch(e => "caught"), "caught");
}));

test("returning an RpcTarget", () => withServer(async stub => {
  let counter = D(await stub.makeCounter(4));
  assert.equal(await counter.increment(), 5);
  assert.equal(await counter.increment(4), 9);
  assert.equal(await counter.value, 9);
}));

test("passing a stub back", () => withServer(async stub => {
  let counter = D(await stub.makeCounter(4));
  assert.equal(await stub.incrementCounter(counter), 5);
  assert.equal(await stub.incrementCounter(counter, 4), 9);
}));

test("client counter", () => withServer(async stub => {
  let c = new Counter(10);
  assert.equal(await stub.incrementCounter(c, 3), 13);
  assert.equal(c.i, 13);
}));

test("promise in arguments", () => withServer(async stub => {
  let promise = D(stub.square(2));
  assert.equal(await stub.square(promise), 16);
}));

test("calling a promise", () => withServer(async stub => {
  let counter = D(stub.makeCounter(4));
  let p1 = D(counter.increment());
  let p2 = D(counter.increment(4));
  assert.equal(await p1, 5);
  assert.equal(await p2, 9);
}));

test("returning a promise (callSquare)", () => withServer(async stub => {
  assert.deepEqual(await stub.callSquare(stub, 3), {result: 9});
}));

test("callSquare with client object", () => withServer(async stub => {
  class Sq extends RpcTarget { square(i) { return i * i; } }
  assert.deepEqual(await stub.callSquare(new Sq(), 5), {result: 25});
}));

test("passing async functions", () => withServer(async stub => {
  async function square(i) { await Promise.resolve(); return i * i; }
  assert.deepEqual(await stub.callFunction(square, 3), {result: 9});
}));

test("callFunction rejection keeps error", () => withServer(async stub => {
  function bad(i) { let e = new RangeError("nope"); e.code = "E1"; throw e; }
  await assert.rejects(async () => await stub.callFunction(bad, 3), e => e instanceof RangeError && e.message === "nope" && e.code === "E1");
}));

test("propagates errors to pipelined calls", () => withServer(async stub => {
  let errorPromise = D(stub.throwError());
  let pipelined = D(errorPromise.square(5));
  await assert.rejects(async () => await pipelined, e => e.message === "test error");
}));

test("map on nulls", () => withServer(async stub => {
  let counter = new RpcStub(new Counter(0));
  { let p = D(stub.returnNull()); assert.equal(await p.map(_ => counter.increment(123)), null); }
  { let p = D(stub.returnUndefined()); assert.equal(await p.map(_ => counter.increment(456)), undefined); }
  { let p = D(stub.returnNumber(2)); assert.equal(await p.map(i => counter.increment(i)), 2); }
  { let p = D(stub.returnNumber(4)); assert.equal(await p.map(i => counter.increment(i)), 6); }
}));

test("map on arrays", () => withServer(async stub => {
  let outerCounter = new RpcStub(new Counter(0));
  let fib = D(stub.generateFibonacci(6));
  let counters = D(await fib.map(i => {
    let counter = stub.makeCounter(i);
    let val = counter.increment(3);
    outerCounter.increment();
    return {counter, val};
  }));
  assert.deepEqual(counters.map(x => x.val), [3, 4, 4, 5, 6, 8]);
  assert.deepEqual(await Promise.all(counters.map(x => x.counter.value)), [3, 4, 4, 5, 6, 8]);
  assert.equal(await outerCounter.value, 6);
}));

test("nested map", () => withServer(async stub => {
  let fib = D(stub.generateFibonacci(7));
  let result = D(await fib.map(i => stub.generateFibonacci(i).map(j => stub.generateFibonacci(j))));
  assert.deepEqual(result, [
    [], [[]], [[]], [[], [0]], [[], [0], [0]],
    [[], [0], [0], [0, 1], [0, 1, 1]],
    [[], [0], [0], [0, 1], [0, 1, 1], [0, 1, 1, 2, 3], [0, 1, 1, 2, 3, 5, 8, 13],
        [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144]],
  ].slice(0, 7).map((x, k) => x));
}));

test("e-order", () => withServer(async stub => {
  let counter = D(await stub.makeCounter(0));
  let ps = [];
  for (let k = 1; k <= 20; k++) ps.push(counter.increment(1));
  let r = await Promise.all(ps);
  assert.deepEqual(r, Array.from({length: 20}, (_, k) => k + 1));
}));

test("echo values", () => withServer(async stub => {
  let values = [123, -7, 2.5, 1e21, null, true, "text", {a: {b: [1, 2]}}, [1, undefined, [2, 3]],
    undefined, Infinity, -Infinity, 123n, -98765432109876543210n, new Date(1234),
    new Uint8Array([1, 2, 3]), new Int16Array([1, -2]), new Float64Array([1.5]), new URL("https://example.com/x?y=1"),
    new Date(NaN)];
  for (let v of values) {
    let r = D(await stub.echo(v));
    if (v instanceof Date && isNaN(v.getTime())) { assert.ok(r instanceof Date && isNaN(r.getTime())); continue; }
    if (ArrayBuffer.isView(v)) { assert.equal(Object.getPrototypeOf(r), Object.getPrototypeOf(v) === Uint8Array.prototype ? Object.getPrototypeOf(r) : Object.getPrototypeOf(v)); assert.deepEqual(Array.from(new Uint8Array(r.buffer, r.byteOffset, r.byteLength)), Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))); continue; }
    assert.deepEqual(r, v, "echo " + String(v));
  }
  let nan = D(await stub.echo(NaN)); assert.ok(Number.isNaN(nan));
  let e = D(await stub.echo(new TypeError("boom")));
  assert.ok(e instanceof TypeError); assert.equal(e.message, "boom");
  let rich = new RangeError("rich"); rich.code = "E"; rich.when = new Date(5);
  let r2 = D(await stub.echo(rich));
  assert.ok(r2 instanceof RangeError); assert.equal(r2.code, "E"); assert.deepEqual(r2.when, new Date(5));
  let withCause = new Error("outer", {cause: new TypeError("inner")});
  let r3 = D(await stub.echo(withCause));
  assert.ok(r3.cause instanceof TypeError); assert.equal(r3.cause.message, "inner");
}));

test("returnNull/undefined/number", () => withServer(async stub => {
  assert.equal(await stub.returnNull(), null);
  assert.equal(await stub.returnUndefined(), undefined);
  assert.equal(await stub.returnNumber(42), 42);
  assert.deepEqual(await stub.generateFibonacci(0), []);
  assert.equal(await stub.add(2, 3), 5);
}));

test("property of unknown is undefined", () => withServer(async stub => {
  assert.equal(await stub.nonexistentProperty, undefined);
}));

test("disposal over rpc and stats", () => withServer(async (stub, session) => {
  { let c = D(await stub.makeCounter(1)); await c.increment(); c[Symbol.dispose](); }
  { let p = D(stub.makeCounter(2)); await p.increment(); p[Symbol.dispose](); }
  await new Promise(r => setTimeout(r, 50));
  assert.deepEqual(session.getStats(), {imports: 1, exports: 1});
}));

test("onRpcBroken on disconnect", () => withServer(async (stub, session, t) => {
  let errors = [];
  stub.onRpcBroken(e => errors.push(e));
  assert.equal(await stub.square(2), 4);
  t.child.kill();
  await new Promise(r => setTimeout(r, 500));
  assert.equal(errors.length, 1);
}));

let failed = 0;
for (let t of tests) {
  try {
    await Promise.race([t.fn(), new Promise((_, rej) => setTimeout(() => rej(new Error("timeout")), 15000))]);
    console.log("ok   " + t.name);
  } catch (e) {
    failed++;
    console.log("FAIL " + t.name + ": " + (e && e.stack || e));
  }
}
console.log(failed ? `${failed} failed` : "all passed");
process.exit(failed ? 1 : 0);
