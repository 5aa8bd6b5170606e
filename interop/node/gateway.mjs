// Uses a backend's stub that a gateway server hands out, with the reference client: calls,
// pipelining and map() on it all travel through the gateway to the backend.
//
// Usage: node gateway.mjs URL
//   URL  ws://HOST:PORT/rpc (a WebSocket session) or http://HOST:PORT/rpc (an HTTP batch)
// The gateway's main object has backend(), a stub of a backend serving the interop TestTarget.
//
// It also receives a stub of a counter on the backend, and releases it.
//
// Prints one JSON line: {"square": ..., "squares": [...], "counter": ..., "doubled": ...} or
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
  if (url.startsWith("ws")) api[Symbol.dispose]();
} catch (e) {
  console.log(JSON.stringify({ error: String(e?.message ?? e) }));
}
process.exit(0);
