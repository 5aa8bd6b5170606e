import { RpcSession, RpcTarget, RpcStub } from "capnweb";
import { createInterface } from "node:readline";

class Counter extends RpcTarget {
  constructor(i = 0) { super(); this.i = i; }
  increment(a = 1) { this.i += a; return this.i; }
  get value() { return this.i; }
}
class TestTarget extends RpcTarget {
  square(i) { return i * i; }
  callSquare(self, i) { return { result: self.square(i) }; }
  async callFunction(func, i) { return { result: await func(i) }; }
  throwError() { throw new RangeError("test error"); }
  makeCounter(i) { return new Counter(i); }
  incrementCounter(c, i = 1) { return c.increment(i); }
  generateFibonacci(length) { let r = [0, 1]; if (length <= r.length) return r.slice(0, length); while (r.length < length) r.push(r[r.length-1] + r[r.length-2]); return r; }
  returnNull() { return null; }
  returnUndefined() { return undefined; }
  returnNumber(i) { return i; }
  echo(x) { return x; }
  add(a, b) { return a + b; }
  stats() { return session.getStats(); }
}
const queue = []; const waiters = [];
const rl = createInterface({ input: process.stdin });
let closed = false;
rl.on("line", l => { if (waiters.length) waiters.shift().resolve(l); else queue.push(l); });
rl.on("close", () => { closed = true; for (let w of waiters) w.reject(new Error("stdin closed")); });
const transport = {
  send(m) { process.stdout.write(m + "\n"); },
  receive() {
    if (queue.length) return Promise.resolve(queue.shift());
    if (closed) return Promise.reject(new Error("stdin closed"));
    return new Promise((resolve, reject) => waiters.push({resolve, reject}));
  },
};
const session = new RpcSession(transport, new TestTarget());
