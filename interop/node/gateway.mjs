// Uses a backend's stub that a gateway server hands out, with the reference client: calls,
// pipelining and map() on it all travel through the gateway to the backend.
//
// Usage: node gateway.mjs URL
//   URL  ws://HOST:PORT/rpc (a WebSocket session) or http://HOST:PORT/rpc (an HTTP batch)
// The gateway's main object has backend(), a stub of a backend serving the interop TestTarget.
//
// It also receives a stub of a counter on the backend, and releases it; over WebSocket it then
// reads, sends and writes streams and passes a callback, all through the gateway.
//
// Prints one JSON line (two over WebSocket, the second {"numbers", "sum", "written", "called"}): {"square": ..., "squares": [...], "counter": ..., "doubled": ...} or
// {"error": "..."}, and exits 0 either way.

import "./websocket-polyfill.mjs";
import { newHttpBatchRpcSession, newWebSocketRpcSession } from "capnweb";

const [url] = process.argv.slice(2);

try {
  const api = url.startsWith("ws") ? newWebSocketRpcSession(url) : newHttpBatchRpcSession(url);
  const backend = api.backend();
  const fib = backend.generateFibonacci(6);
  const counter = backend.makeCounter(5);
  // Asked for together, so that an HTTP batch carries them all.
  const [square, squares, incremented, doubled, another] = await Promise.all([
    backend.square(7),
    fib.map((n) => backend.square(n)),
    counter.increment(3),
    fib.map((n) => [n, n]),
    backend.makeCounter(9),
  ]);
  // A stub of the backend, received through the gateway; released here, or with the batch.
  another[Symbol.dispose]();
  console.log(JSON.stringify({ square, squares, counter: incremented, doubled }));
  if (url.startsWith("ws")) {
    // Streams and callbacks need a session that lasts: WebSocket only.
    const numbers = [];
    for await (const n of await backend.streamNumbers(4)) numbers.push(n);
    const sent = [1, 2, 3.5];
    const sum = await backend.sumStream(new ReadableStream({
      pull(controller) {
        if (sent.length > 0) controller.enqueue(sent.shift());
        else controller.close();
      },
    }));
    const written = [];
    await backend.writeTo(new WritableStream({ write(chunk) { written.push(chunk); } }), 3);
    const called = await backend.callFunction((x) => x * 3, 5);
    console.log(JSON.stringify({ numbers, sum, written, called }));
  }
  if (url.startsWith("ws")) api[Symbol.dispose]();
} catch (e) {
  console.log(JSON.stringify({ error: String(e?.message ?? e) }));
}
process.exit(0);
