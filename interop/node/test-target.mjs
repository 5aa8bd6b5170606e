// The interop TestTarget of capnweb-java (see INTEROP.md), written against the reference
// implementation so that the Java client has a reference server to talk to.

import { RpcPromise, RpcStub, RpcTarget } from "capnweb";

// The session releases a call's arguments once the call returns, so stubs (and promises) that
// echo hands back are duplicated first, as a value returned from a call must own its stubs.
function retain(value) {
  if (value instanceof RpcStub || value instanceof RpcPromise) {
    return value.dup();
  }
  if (Array.isArray(value)) {
    return value.map(retain);
  }
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const copy = {};
    for (const key of Object.keys(value)) copy[key] = retain(value[key]);
    return copy;
  }
  return value;
}

export class Counter extends RpcTarget {
  #value;

  constructor(start = 0) {
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
}

export class TestTarget extends RpcTarget {
  square(i) {
    return i * i;
  }

  callSquare(self, i) {
    return { result: self.square(i) };
  }

  async callFunction(func, i) {
    return { result: await func(i) };
  }

  throwError() {
    throw new RangeError("test error");
  }

  makeCounter(i) {
    return new Counter(i);
  }

  incrementCounter(c, i = 1) {
    return c.increment(i);
  }

  generateFibonacci(n) {
    const result = [];
    let a = 0;
    let b = 1;
    while (result.length < n) {
      result.push(a);
      [a, b] = [b, a + b];
    }
    return result;
  }

  returnNull() {
    return null;
  }

  returnUndefined() {
    return undefined;
  }

  returnNumber(i) {
    return i;
  }

  echo(x) {
    return retain(x);
  }

  add(a, b) {
    return a + b;
  }
}
