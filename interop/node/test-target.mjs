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

  // Stream members (INTEROP.md, "Stream members").

  echoBlob(blob) {
    return blob;
  }

  streamNumbers(n) {
    let i = 0;
    return new ReadableStream({
      pull(controller) {
        if (i < n) {
          controller.enqueue(i++);
        } else {
          controller.close();
        }
      },
    }, { highWaterMark: 0 });
  }

  async sumStream(readable) {
    let sum = 0;
    for await (const chunk of readable) {
      sum += chunk;
    }
    return sum;
  }

  async countBytes(readable) {
    let total = 0;
    for await (const chunk of readable) {
      total += chunk.byteLength;
    }
    return total;
  }

  async writeTo(writable, n) {
    const writer = writable.getWriter();
    for (let i = 0; i < n; i++) {
      await writer.write(i);
    }
    await writer.close();
  }

  async echoRequest(request) {
    const body = {
      method: request.method,
      url: request.url,
      headers: [...request.headers],
      body: await request.text(),
    };
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  }

  streamBytes(total, chunkSize) {
    let left = total;
    const chunk = new Uint8Array(chunkSize);
    return new ReadableStream({
      pull(controller) {
        if (left <= 0) {
          controller.close();
          return;
        }
        const n = Math.min(left, chunkSize);
        left -= n;
        controller.enqueue(n === chunkSize ? chunk : new Uint8Array(n));
      },
    }, { highWaterMark: 0 });
  }
}
