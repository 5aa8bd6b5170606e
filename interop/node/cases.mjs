// Interop cases run by the reference client (npm capnweb) against a server exposing TestTarget.
//
// Each case receives `connect()`, which opens a fresh session (a new WebSocket connection, or a
// new HTTP batch) and returns the peer's main stub, and throws (an AssertionError or the RPC
// error) when the server did not behave as the reference server does.
//
// HTTP batch sessions send everything issued before the first await in one request and can take
// no further calls afterwards, and the server cannot call back into the client; cases that need
// several round trips or server-to-client calls run over WebSocket only (`endpoints: WS`).

import assert from "node:assert/strict";
import { RpcStub, RpcTarget } from "capnweb";

const BOTH = ["ws", "http"];
const WS = ["ws"];

export const cases = [];

function define(name, endpoints, run) {
  cases.push({ name, endpoints, run });
}

// One call to echo(value): the result must be deep-equal to what was sent, with Object.is
// semantics for primitives (so -0 and NaN are checked exactly).
function echoCase(name, value, check) {
  define(`echo.${name}`, BOTH, async ({ connect }) => {
    const api = connect();
    const result = await api.echo(value);
    if (check) {
      check(result, value);
    } else {
      assert.deepStrictEqual(result, value);
    }
  });
}

async function rejection(promise) {
  try {
    const value = await promise;
    assert.fail(`expected the call to reject, but it resolved to ${describe(value)}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    return err;
  }
}

function assertError(err, type, message) {
  assert.ok(err instanceof Error, `expected an Error, got ${describe(err)}`);
  assert.equal(err.name, type.name, `error type (message: ${err.message})`);
  assert.ok(err instanceof type, `expected an instance of ${type.name}`);
  if (message instanceof RegExp) {
    assert.match(err.message, message);
  } else {
    assert.equal(err.message, message);
  }
}

function describe(value) {
  try {
    return typeof value === "bigint" ? `${value}n` : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

class LocalCounter extends RpcTarget {
  #value;
  disposed = false;

  constructor(start) {
    super();
    this.#value = start;
  }

  increment(amount = 1) {
    this.#value += amount;
    return this.#value;
  }

  get value() {
    return this.#value;
  }

  [Symbol.dispose]() {
    this.disposed = true;
  }
}

async function eventually(predicate, what, ms = 3000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// ---------------------------------------------------------------------------------------------
// TestTarget members

define("square.integer", BOTH, async ({ connect }) => {
  assert.equal(await connect().square(5), 25);
});

define("square.fraction", BOTH, async ({ connect }) => {
  assert.equal(await connect().square(1.5), 2.25);
});

define("square.negative", BOTH, async ({ connect }) => {
  assert.equal(await connect().square(-4), 16);
});

define("square.beyondLongRange", BOTH, async ({ connect }) => {
  // 3037000500^2 overflows a 64-bit integer; JavaScript numbers are doubles.
  assert.equal(await connect().square(3037000500), 9223372037000250000);
});

define("square.overflowsToInfinity", BOTH, async ({ connect }) => {
  assert.equal(await connect().square(1e200), Infinity);
});

define("callSquare.serverSelf", BOTH, async ({ connect }) => {
  const api = connect();
  assert.deepStrictEqual(await api.callSquare(api, 3), { result: 9 });
});

define("callSquare.clientTarget", WS, async ({ connect }) => {
  class Squarer extends RpcTarget {
    calls = 0;
    square(i) {
      this.calls++;
      return 1000 + i;
    }
  }
  const local = new Squarer();
  assert.deepStrictEqual(await connect().callSquare(local, 7), { result: 1007 });
  assert.equal(local.calls, 1);
});

define("callFunction.clientFunction", WS, async ({ connect }) => {
  assert.deepStrictEqual(await connect().callFunction((i) => i * 10, 4), { result: 40 });
});

define("callFunction.asyncClientFunction", WS, async ({ connect }) => {
  const slow = (i) => new Promise((resolve) => setTimeout(() => resolve(`got ${i}`), 50));
  assert.deepStrictEqual(await connect().callFunction(slow, 3), { result: "got 3" });
});

define("callFunction.rejectionKeepsTypeMessageAndProperties", WS, async ({ connect }) => {
  const failing = () => {
    throw Object.assign(new TypeError("client failure"), { code: "E_CLIENT", detail: { n: 1 } });
  };
  const err = await rejection(connect().callFunction(failing, 1));
  assertError(err, TypeError, "client failure");
  assert.equal(err.code, "E_CLIENT");
  assert.deepStrictEqual(err.detail, { n: 1 });
});

define("callFunction.callbackCallsServerAgain", WS, async ({ connect }) => {
  const api = connect();
  const viaServer = (i) => api.square(i);
  assert.deepStrictEqual(await api.callFunction(viaServer, 6), { result: 36 });
});

define("throwError.rangeError", BOTH, async ({ connect }) => {
  const err = await rejection(connect().throwError());
  assertError(err, RangeError, "test error");
});

define("throwError.sessionGoesOn", BOTH, async ({ connect }) => {
  const api = connect();
  // Both results are asked for before anything is awaited, so that they travel in one batch.
  const [failed, after] = await Promise.allSettled([api.throwError(), api.square(3)]);
  assertError(failed.reason, RangeError, "test error");
  assert.equal(after.value, 9);
});

define("makeCounter.pipelinedIncrements", BOTH, async ({ connect }) => {
  const counter = connect().makeCounter(4);
  const first = counter.increment();
  const second = counter.increment(4);
  assert.deepStrictEqual(await Promise.all([first, second]), [5, 9]);
});

define("makeCounter.awaitedStub", WS, async ({ connect }) => {
  const counter = await connect().makeCounter(10);
  assert.equal(await counter.increment(5), 15);
  assert.equal(await counter.increment(-20), -5);
  counter[Symbol.dispose]();
});

define("counter.valueProperty", BOTH, async ({ connect }) => {
  const counter = connect().makeCounter(7);
  const incremented = counter.increment(3);
  const value = counter.value;
  assert.deepStrictEqual(await Promise.all([incremented, value]), [10, 10]);
});

define("incrementCounter.serverCounter", BOTH, async ({ connect }) => {
  const api = connect();
  const counter = api.makeCounter(2);
  assert.equal(await api.incrementCounter(counter, 4), 6);
});

define("incrementCounter.defaultAmount", BOTH, async ({ connect }) => {
  const api = connect();
  const counter = api.makeCounter(2);
  const once = api.incrementCounter(counter);
  const twice = api.incrementCounter(counter);
  assert.deepStrictEqual(await Promise.all([once, twice]), [3, 4]);
});

define("incrementCounter.clientCounter", WS, async ({ connect }) => {
  const local = new LocalCounter(4);
  assert.equal(await connect().incrementCounter(local, 9), 13);
  assert.equal(local.value, 13);
});

define("generateFibonacci.ten", BOTH, async ({ connect }) => {
  assert.deepStrictEqual(await connect().generateFibonacci(10), [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]);
});

define("generateFibonacci.zero", BOTH, async ({ connect }) => {
  assert.deepStrictEqual(await connect().generateFibonacci(0), []);
});

define("generateFibonacci.one", BOTH, async ({ connect }) => {
  assert.deepStrictEqual(await connect().generateFibonacci(1), [0]);
});

define("returnNull", BOTH, async ({ connect }) => {
  assert.strictEqual(await connect().returnNull(), null);
});

define("returnUndefined", BOTH, async ({ connect }) => {
  assert.strictEqual(await connect().returnUndefined(), undefined);
});

define("returnNumber.integer", BOTH, async ({ connect }) => {
  assert.strictEqual(await connect().returnNumber(42), 42);
});

define("returnNumber.fraction", BOTH, async ({ connect }) => {
  assert.strictEqual(await connect().returnNumber(-0.5), -0.5);
});

define("add.integers", BOTH, async ({ connect }) => {
  assert.strictEqual(await connect().add(2, 3), 5);
});

define("add.fractions", BOTH, async ({ connect }) => {
  assert.strictEqual(await connect().add(0.1, 0.2), 0.30000000000000004);
});

define("add.strings", BOTH, async ({ connect }) => {
  assert.strictEqual(await connect().add("foo", "bar"), "foobar");
});

define("missingMethod.typeErrorAndSessionGoesOn", BOTH, async ({ connect }) => {
  const api = connect();
  const [missing, after] = await Promise.allSettled([api.noSuchMethod(1), api.square(2)]);
  assertError(missing.reason, TypeError, /noSuchMethod/);
  assert.equal(after.value, 4);
});

define("missingMethod.onCounter", BOTH, async ({ connect }) => {
  const counter = connect().makeCounter(1);
  const [missing, after] = await Promise.allSettled([counter.decrement(), counter.increment()]);
  assertError(missing.reason, TypeError, /decrement/);
  assert.equal(after.value, 2);
});

define("property.missingIsUndefined", BOTH, async ({ connect }) => {
  assert.strictEqual(await connect().noSuchProperty, undefined);
});

define("property.methodReadAsFunction", WS, async ({ connect }) => {
  const square = await connect().square;
  assert.equal(typeof square, "function");
  assert.equal(await square(4), 16);
});

define("property.readingMethodHasNoSideEffect", BOTH, async ({ connect }) => {
  // Reading `increment` names the method; only calling it increments.
  const counter = connect().makeCounter(5);
  const method = counter.increment;
  const value = counter.value;
  const [, settled] = await Promise.allSettled([method, value]);
  assert.equal(settled.value, 5);
});

define("hiddenMembers.notCallable", BOTH, async ({ connect }) => {
  // What a Java object has but a remote caller must never reach: each is simply not a function.
  const api = connect();
  const names = ["getClass", "hashCode", "wait", "notify", "notifyAll", "equals", "close", "clone", "finalize"];
  const settled = await Promise.allSettled(names.map((n) => api[n]()));
  settled.forEach((s, i) => {
    assert.equal(s.status, "rejected", `${names[i]}() must not be callable, but returned ${describe(s.value)}`);
    assertError(s.reason, TypeError, new RegExp(names[i]));
  });
});

// ---------------------------------------------------------------------------------------------
// Every kind of value through echo

echoCase("string", "hello");
echoCase("emptyString", "");
echoCase("unicode", "héllo wörld ✓ 😀 中文 \u{10FFFF}");
echoCase("loneSurrogates", "a\uD800b\uDC00c\uDFFF\uD83D");
echoCase("controlCharacters", "\u0000\u0001\u0008\u001f\u007f\u0085\u2028\u2029\t\n\r\"\\/");
echoCase("true", true);
echoCase("false", false);
echoCase("null", null);
echoCase("undefined", undefined);
echoCase("zero", 0);
// JSON has no negative zero: the reference sends -0 as 0.
echoCase("negativeZeroArrivesAsZero", -0, (result) => {
  assert.ok(Object.is(result, 0), `expected 0, got ${Object.is(result, -0) ? "-0" : describe(result)}`);
});
echoCase("NaN", NaN);
echoCase("Infinity", Infinity);
echoCase("negativeInfinity", -Infinity);
echoCase("maxSafeInteger", Number.MAX_SAFE_INTEGER);
echoCase("minSafeInteger", Number.MIN_SAFE_INTEGER);
echoCase("beyondSafeInteger", 2 ** 53 + 2);
echoCase("twoToThe64", 2 ** 64);
echoCase("largeDouble", 1.7976931348623157e308);
echoCase("smallestSubnormal", 5e-324);
echoCase("fraction", 0.1);
echoCase("negativeFraction", -12345.678);
echoCase("exponentNotation", 1e21);
echoCase("doublesRoundTripExactly", [1e23, 2e-3, 1 / 3, 2 / 3, 4.35, 0.1 + 0.2, 123456789.12345679, 1e-7, 8.41e21,
  5e-310, 2 ** -1074 * 3, 9007199254740993, 1.7976931348623157e308 / 3, -2.5e-8, 100, 1e16, 12345678901234567890]);
echoCase("nonCharacters", "\uFEFFbom \uFFFE \uFFFF \u{1FFFF} end");
echoCase("array", [1, "two", true, null]);
echoCase("emptyArray", []);
echoCase("nestedArrays", [[1, [2, [3, []]]], [[]]]);
echoCase("arrayLooksLikeBigint", ["bigint", "123"]);
echoCase("arrayLooksLikeUndefined", ["undefined"]);
echoCase("arrayLooksLikeDateAndError", [["date", 0], ["error", "Error", "not an error"], ["inf"], ["nan"]]);
echoCase("arrayLooksLikeCapabilities", [["import", 0], ["export", 1], ["pipeline", 0, ["square"]], ["promise", 2], ["remap", 0, [], [], []]]);
echoCase("object", { a: 1, b: "x", c: { d: [1, 2], e: null } });
echoCase("emptyObject", {});
echoCase("objectKeyOrder", { zebra: 1, apple: 2, mango: 3 }, (result) => {
  assert.deepStrictEqual(Object.keys(result), ["zebra", "apple", "mango"]);
});
echoCase("objectUnusualKeys", { "": 1, "with space": 2, "ünïcödé": 3, "$ref": 4, "a.b": 5, "\u0000": 6 });
echoCase("undefinedInObject", { a: undefined, b: 1 }, (result) => {
  assert.deepStrictEqual(result, { a: undefined, b: 1 });
  assert.ok(Object.hasOwn(result, "a"), "property 'a' must exist with the value undefined");
});
echoCase("undefinedInArray", [1, undefined, 3]);
echoCase("bigintZero", 0n);
echoCase("bigintNegative", -1n);
echoCase("bigintBeyond64Bits", 2n ** 64n + 1n);
echoCase("bigintHugeNegative", -(2n ** 200n) - 7n);
// 16384 digits is the most a receiver accepts by default.
echoCase("bigintAtTheDigitLimit", BigInt("9".repeat(16384)));
echoCase("date", new Date(1700000000123));
echoCase("dateBefore1970", new Date("1900-01-01T00:00:00.001Z"));
echoCase("invalidDate", new Date(NaN), (result) => {
  assert.ok(result instanceof Date, `expected a Date, got ${describe(result)}`);
  assert.ok(Number.isNaN(result.getTime()), "expected an invalid date");
});
// Node delivers plain byte arrays as Buffer, a subclass of Uint8Array.
function sameBytes(result, sent) {
  assert.ok(result instanceof Uint8Array, `expected a Uint8Array, got ${describe(result)}`);
  assert.deepStrictEqual(Array.from(result), Array.from(sent));
}
echoCase("bytes", new Uint8Array([0, 1, 2, 127, 128, 255]), sameBytes);
echoCase("bytesEmpty", new Uint8Array(0), sameBytes);
echoCase("bytesEvery", Uint8Array.from({ length: 256 }, (_, i) => i), sameBytes);
echoCase("typedInt16Array", new Int16Array([-1, 2, 300, -32768]));
echoCase("typedFloat64Array", new Float64Array([1.5, -0, NaN, Infinity]));
echoCase("arrayBuffer", new Uint8Array([9, 8, 7]).buffer);
echoCase("url", new URL("https://example.com/a/b?c=d&e=%20#frag"), (result, sent) => {
  assert.ok(result instanceof URL, `expected a URL, got ${describe(result)}`);
  assert.equal(result.href, sent.href);
});
echoCase("error", new Error("plain"), (result) => {
  assertError(result, Error, "plain");
});
echoCase("typeError", new TypeError("bad type"), (result) => {
  assertError(result, TypeError, "bad type");
});
echoCase("rangeError", new RangeError("out of range"), (result) => {
  assertError(result, RangeError, "out of range");
});
echoCase("syntaxErrorAndFriends", [new SyntaxError("s"), new ReferenceError("r"), new EvalError("e"), new URIError("u")], (result) => {
  assert.equal(result.length, 4);
  assertError(result[0], SyntaxError, "s");
  assertError(result[1], ReferenceError, "r");
  assertError(result[2], EvalError, "e");
  assertError(result[3], URIError, "u");
});
echoCase("errorWithProperties", Object.assign(new Error("with props"), { code: 42, info: { nested: [1, "x"], when: new Date(5) } }), (result) => {
  assertError(result, Error, "with props");
  assert.equal(result.code, 42);
  assert.deepStrictEqual(result.info, { nested: [1, "x"], when: new Date(5) });
});
echoCase("errorWithCause", new Error("outer", { cause: new TypeError("inner") }), (result) => {
  assertError(result, Error, "outer");
  assertError(result.cause, TypeError, "inner");
});
echoCase("errorWithNonErrorCause", new Error("outer", { cause: "just a string" }), (result) => {
  assertError(result, Error, "outer");
  assert.equal(result.cause, "just a string");
});
echoCase("errorWithUnicodeMessage", new Error("fehler: ünïcödé \uD800 \u0000"), (result) => {
  assertError(result, Error, "fehler: ünïcödé \uD800 \u0000");
});
echoCase("deepNesting", (() => {
  let v = { leaf: [1] };
  for (let i = 0; i < 100; i++) v = i % 2 ? { child: v } : [v];
  return v;
})());
// 254 levels is the deepest value the reference client can send (its serializer stops at 255).
echoCase("nestingAtTheDepthLimit", (() => {
  let v = "leaf";
  for (let i = 0; i < 254; i++) v = { n: v };
  return v;
})());
echoCase("largeString", "x".repeat(1_000_000) + "é");
echoCase("largeArray", Array.from({ length: 10_000 }, (_, i) => i * 1.5));
echoCase("mixed", {
  n: NaN, z: 1.5e-300, big: 123456789012345678901234567890n, u: undefined, when: new Date(0),
  bytes: new Uint8Array([1, 2]), list: [undefined, null, [["nested"]]], err: new RangeError("r"),
}, (result, sent) => {
  const { err, bytes, ...rest } = result;
  const { err: _sentErr, bytes: sentBytes, ...sentRest } = sent;
  assert.deepStrictEqual(rest, sentRest);
  sameBytes(bytes, sentBytes);
  assertError(err, RangeError, "r");
});

define("echo.clientTarget", WS, async ({ connect }) => {
  const local = new LocalCounter(1);
  const { back } = await connect().echo({ back: local });
  assert.equal(await back.increment(2), 3);
  assert.equal(local.value, 3);
});

define("echo.clientFunction", WS, async ({ connect }) => {
  const { back } = await connect().echo({ back: (a, b) => `${a}-${b}` });
  assert.equal(await back("x", 2), "x-2");
});

define("echo.serverCounterPromise", BOTH, async ({ connect }) => {
  const api = connect();
  const counter = api.echo(api.makeCounter(1));
  assert.equal(await counter.increment(), 2);
});

define("echo.objectHoldingServerStub", BOTH, async ({ connect }) => {
  const api = connect();
  const holder = api.echo({ counter: api.makeCounter(10), label: "c" });
  const incremented = holder.counter.increment(5);
  const label = holder.label;
  assert.deepStrictEqual(await Promise.all([incremented, label]), [15, "c"]);
});

// ---------------------------------------------------------------------------------------------
// Pipelining

define("pipeline.promiseAsArgument", BOTH, async ({ connect }) => {
  const api = connect();
  const four = api.square(2);
  assert.equal(await api.square(four), 16);
});

define("pipeline.nestedPromiseArguments", BOTH, async ({ connect }) => {
  const api = connect();
  assert.equal(await api.square(api.add(1, api.square(2))), 25);
});

define("pipeline.promiseInsideObjectArgument", BOTH, async ({ connect }) => {
  const api = connect();
  assert.deepStrictEqual(await api.echo({ a: api.square(3), list: [api.add(1, 2)] }), { a: 9, list: [3] });
});

define("pipeline.propertyOfResult", BOTH, async ({ connect }) => {
  const api = connect();
  assert.equal(await api.callSquare(api, 4).result, 16);
});

define("pipeline.counterFromPromise", BOTH, async ({ connect }) => {
  const api = connect();
  const counter = api.makeCounter(api.square(3));
  assert.equal(await counter.increment(1), 10);
});

define("pipeline.errorPropagatesToPipelinedCall", BOTH, async ({ connect }) => {
  const api = connect();
  const err = await rejection(api.throwError().foo());
  assertError(err, RangeError, "test error");
});

define("pipeline.errorPropagatesToArgument", BOTH, async ({ connect }) => {
  const api = connect();
  const err = await rejection(api.square(api.throwError()));
  assertError(err, RangeError, "test error");
});

define("pipeline.severalCallsInOneBatch", BOTH, async ({ connect }) => {
  const api = connect();
  const squared = api.square(6);
  const counter = api.makeCounter(2);
  const incremented = counter.increment(3);
  const viaApi = api.incrementCounter(counter, 4);
  const fib = api.generateFibonacci(5);
  assert.deepStrictEqual(await Promise.all([squared, incremented, viaApi, fib]), [36, 5, 9, [0, 1, 1, 2, 3]]);
});

// ---------------------------------------------------------------------------------------------
// Disposal

define("dispose.stubThenDupKeepsWorking", WS, async ({ connect }) => {
  const counter = await connect().makeCounter(1);
  const copy = counter.dup();
  counter[Symbol.dispose]();
  assert.match((await rejection(counter.increment())).message, /disposed/);
  assert.equal(await copy.increment(), 2);
  copy[Symbol.dispose]();
});

define("dispose.sessionGoesOnAfterDisposal", WS, async ({ connect }) => {
  const api = connect();
  for (let i = 0; i < 5; i++) {
    const counter = await api.makeCounter(i);
    assert.equal(await counter.increment(), i + 1);
    counter[Symbol.dispose]();
  }
  assert.equal(await api.square(3), 9);
});

define("dispose.unawaitedPromise", BOTH, async ({ connect }) => {
  const api = connect();
  const counter = api.makeCounter(5);
  counter[Symbol.dispose]();
  assert.equal(await api.square(2), 4);
});

define("dispose.serverReleasesClientStubAfterCall", WS, async ({ connect }) => {
  const local = new LocalCounter(0);
  assert.equal(await connect().incrementCounter(local, 2), 2);
  await eventually(() => local.disposed, "the server to release the client's counter");
});

// ---------------------------------------------------------------------------------------------
// map()

define("map.fibonacciSquares", BOTH, async ({ connect }) => {
  const api = connect();
  assert.deepStrictEqual(await api.generateFibonacci(6).map((x) => api.square(x)), [0, 1, 1, 4, 9, 25]);
});

define("map.emptyArray", BOTH, async ({ connect }) => {
  const api = connect();
  assert.deepStrictEqual(await api.generateFibonacci(0).map((x) => api.square(x)), []);
});

define("map.singleValue", BOTH, async ({ connect }) => {
  const api = connect();
  assert.equal(await api.returnNumber(4).map((x) => api.square(x)), 16);
});

define("map.null", BOTH, async ({ connect }) => {
  const api = connect();
  assert.equal(await api.returnNull().map((x) => api.square(x)), null);
});

define("map.capturedCounter", BOTH, async ({ connect }) => {
  const api = connect();
  const counter = api.makeCounter(0);
  assert.deepStrictEqual(await api.generateFibonacci(5).map((x) => counter.increment(x)), [0, 1, 2, 4, 7]);
});

define("map.buildsObjects", BOTH, async ({ connect }) => {
  const api = connect();
  const result = await api.generateFibonacci(4).map((x) => ({ value: x, squared: api.square(x), both: [x, api.add(x, 1)] }));
  assert.deepStrictEqual(result, [
    { value: 0, squared: 0, both: [0, 1] },
    { value: 1, squared: 1, both: [1, 2] },
    { value: 1, squared: 1, both: [1, 2] },
    { value: 2, squared: 4, both: [2, 3] },
  ]);
});

define("map.counterStubs", BOTH, async ({ connect }) => {
  const api = connect();
  const result = await api.generateFibonacci(4).map((x) => api.makeCounter(x).increment(10));
  assert.deepStrictEqual(result, [10, 11, 11, 12]);
});

define("map.nested", BOTH, async ({ connect }) => {
  const api = connect();
  const result = await api.generateFibonacci(4).map((n) => api.generateFibonacci(n).map((x) => api.add(x, 100)));
  assert.deepStrictEqual(result, [[], [100], [100], [100, 101]]);
});

define("map.propertyOfElement", BOTH, async ({ connect }) => {
  const api = connect();
  const result = await api.generateFibonacci(4).map((x) => api.callSquare(api, x).result);
  assert.deepStrictEqual(result, [0, 1, 1, 4]);
});

define("map.capturedClientFunction", WS, async ({ connect }) => {
  const api = connect();
  const seen = [];
  // A stub, so that map() records calls to it instead of running it while recording.
  const label = new RpcStub((x) => { seen.push(x); return `#${x}`; });
  assert.deepStrictEqual(await api.generateFibonacci(5).map((x) => label(x)), ["#0", "#1", "#1", "#2", "#3"]);
  assert.deepStrictEqual(seen, [0, 1, 1, 2, 3]);
});

// ---------------------------------------------------------------------------------------------
// Volume

define("concurrency.thousandCalls", BOTH, async ({ connect }) => {
  const api = connect();
  const calls = Array.from({ length: 1000 }, (_, i) => api.square(i));
  const results = await Promise.all(calls);
  assert.deepStrictEqual(results, Array.from({ length: 1000 }, (_, i) => i * i));
});

define("concurrency.callsStartInOrder", BOTH, async ({ connect }) => {
  const counter = connect().makeCounter(0);
  const calls = Array.from({ length: 200 }, () => counter.increment());
  assert.deepStrictEqual(await Promise.all(calls), Array.from({ length: 200 }, (_, i) => i + 1));
});

define("concurrency.manySessions", WS, async ({ connect }) => {
  const apis = Array.from({ length: 20 }, () => connect());
  const results = await Promise.all(apis.map((api, i) => api.add(i, 0.5)));
  assert.deepStrictEqual(results, Array.from({ length: 20 }, (_, i) => i + 0.5));
});

// ---------------------------------------------------------------------------------------------
// Streams, blobs and the Fetch types (WebSocket only: a stream needs acknowledgements flowing
// back while the call runs, which one HTTP batch cannot carry).

function numberStream(values) {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < values.length) controller.enqueue(values[i++]);
      else controller.close();
    },
  });
}

async function readAll(readable) {
  const chunks = [];
  for await (const chunk of readable) chunks.push(chunk);
  return chunks;
}

define("streams.echoBlob", WS, async ({ connect }) => {
  const bytes = new Uint8Array([104, 105, 0, 255]);
  const result = await connect().echoBlob(new Blob([bytes], { type: "text/plain" }));
  assert.ok(result instanceof Blob, `expected a Blob, got ${describe(result)}`);
  assert.equal(result.type, "text/plain");
  assert.deepStrictEqual(new Uint8Array(await result.arrayBuffer()), bytes);
});

define("streams.echoEmptyBlob", WS, async ({ connect }) => {
  const result = await connect().echoBlob(new Blob([]));
  assert.ok(result instanceof Blob);
  assert.equal(result.type, "");
  assert.equal(result.size, 0);
});

define("streams.echoLargeBlob", WS, async ({ connect }) => {
  const bytes = new Uint8Array(3 * 1024 * 1024).map((_, i) => i * 7);
  const result = await connect().echoBlob(new Blob([bytes], { type: "application/octet-stream" }));
  assert.equal(result.size, bytes.length);
  assert.deepStrictEqual(new Uint8Array(await result.arrayBuffer()), bytes);
});

define("streams.streamNumbers", WS, async ({ connect }) => {
  const readable = await connect().streamNumbers(10);
  assert.ok(readable instanceof ReadableStream, `expected a ReadableStream, got ${describe(readable)}`);
  assert.deepStrictEqual(await readAll(readable), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

define("streams.streamNumbersEmpty", WS, async ({ connect }) => {
  assert.deepStrictEqual(await readAll(await connect().streamNumbers(0)), []);
});

define("streams.streamNumbersCanceledEarly", WS, async ({ connect }) => {
  const api = connect();
  const reader = (await api.streamNumbers(1000000)).getReader();
  assert.deepStrictEqual(await reader.read(), { value: 0, done: false });
  assert.deepStrictEqual(await reader.read(), { value: 1, done: false });
  await reader.cancel();
  assert.equal(await api.square(3), 9);
});

define("streams.sumStream", WS, async ({ connect }) => {
  assert.equal(await connect().sumStream(numberStream([1, 2, 3.5, -1])), 5.5);
});

define("streams.sumStreamEmpty", WS, async ({ connect }) => {
  assert.equal(await connect().sumStream(numberStream([])), 0);
});

// A stream that yields one chunk and then fails: the call reading it must reject with the
// stream's own error, and the session go on working.
function failingAfter(chunk) {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(chunk);
      } else {
        controller.error(new RangeError("stream broke"));
      }
    },
  });
}

for (const [method, chunk] of [["sumStream", () => 1], ["countBytes", () => new Uint8Array(3)]]) {
  define(`streams.${method}Error`, WS, async ({ connect }) => {
    const api = connect();
    const err = await rejection(api[method](failingAfter(chunk())));
    assertError(err, RangeError, "stream broke");
    assert.equal(await api.square(2), 4);
  });
}

define("streams.countBytes", WS, async ({ connect }) => {
  const chunks = [new Uint8Array(1000), new Uint8Array(0), new Uint8Array(65536), new Uint8Array(7)];
  assert.equal(await connect().countBytes(numberStream(chunks)), 66543);
});

define("streams.countBytesLarge", WS, async ({ connect }) => {
  const chunk = new Uint8Array(64 * 1024);
  let left = 256;  // 16 MiB
  const readable = new ReadableStream({
    pull(controller) {
      if (left-- > 0) controller.enqueue(chunk);
      else controller.close();
    },
  });
  assert.equal(await connect().countBytes(readable), 16 * 1024 * 1024);
});

define("streams.uploadDoesNotHoldUpCalls", WS, async ({ connect }) => {
  const api = connect();
  const chunk = new Uint8Array(64 * 1024);
  const total = 1024;  // 64 MiB, produced as fast as the window allows
  let produced = 0;
  const readable = new ReadableStream({
    pull(controller) {
      if (produced < total) {
        produced++;
        controller.enqueue(chunk);
      } else {
        controller.close();
      }
    },
  });
  const upload = api.countBytes(readable);
  await eventually(() => produced > 16, "the upload to start", 10000);
  assert.equal(await api.square(12), 144);
  assert.ok(produced < total, `a call waited for the whole upload (${produced} of ${total} chunks sent)`);
  assert.equal(await upload, total * chunk.length);
});

define("streams.writeTo", WS, async ({ connect }) => {
  const received = [];
  let closed = false;
  const writable = new WritableStream({
    write(chunk) { received.push(chunk); },
    close() { closed = true; },
  });
  assert.strictEqual(await connect().writeTo(writable, 5), undefined);
  assert.deepStrictEqual(received, [0, 1, 2, 3, 4]);
  assert.equal(closed, true);
});

define("streams.writeToSlowWriter", WS, async ({ connect }) => {
  const received = [];
  const writable = new WritableStream({
    async write(chunk) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      received.push(chunk);
    },
  });
  await connect().writeTo(writable, 20);
  assert.deepStrictEqual(received, Array.from({ length: 20 }, (_, i) => i));
});

define("streams.writeToFailingWrite", WS, async ({ connect }) => {
  const api = connect();
  const writable = new WritableStream({
    write(chunk) {
      if (chunk === 2) throw new TypeError("cannot take 2");
    },
  });
  const err = await rejection(api.writeTo(writable, 5));
  assertError(err, TypeError, "cannot take 2");
  assert.equal(await api.square(5), 25);
});

define("streams.echoRequest", WS, async ({ connect }) => {
  const request = new Request("https://example.com/path?q=1", {
    method: "POST",
    headers: { "x-test": "yes", "content-type": "text/plain" },
    body: "hello body",
  });
  const response = await connect().echoRequest(request);
  assert.ok(response instanceof Response, `expected a Response, got ${describe(response)}`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.deepStrictEqual(await response.json(), {
    method: "POST",
    url: "https://example.com/path?q=1",
    headers: [["content-type", "text/plain"], ["x-test", "yes"]],
    body: "hello body",
  });
});

define("streams.echoRequestWithoutBody", WS, async ({ connect }) => {
  const response = await connect().echoRequest(new Request("https://example.com/"));
  assert.deepStrictEqual(await response.json(), { method: "GET", url: "https://example.com/", headers: [], body: "" });
});

echoCase("headers", new Headers([["b", "2"], ["a", "1"]]), (result) => {
  assert.ok(result instanceof Headers, `expected Headers, got ${describe(result)}`);
  assert.deepStrictEqual([...result], [["a", "1"], ["b", "2"]]);
});

// A session that goes quiet between two calls. QUIET_MS (50 by default) sets how long: the
// keepalive test runs it for longer than the Java server's idle timeout, which the session must
// survive by answering the server's pings (the ws package does so by itself).
define("session.quietBetweenCalls", WS, async ({ connect }) => {
  const api = connect();
  assert.equal(await api.square(3), 9);
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.QUIET_MS ?? 50)));
  assert.equal(await api.square(4), 16);
});
