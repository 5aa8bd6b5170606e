// The reference server for the benchmarks: capnweb 0.12.0's own WebSocket and HTTP batch
// endpoints on 127.0.0.1:PORT/rpc, each session with a fresh TestTarget (the members the load
// scenarios call, as the interop TestTarget defines them).
//
// Usage: node server.mjs PORT [rpc|raw]
//   rpc  (default) Cap'n Web sessions
//   raw  a WebSocket echo with no RPC, for comparison
// Prints "READY http://127.0.0.1:PORT" once it accepts connections; SIGTERM stops it.

import http from "node:http";
import { WebSocket, WebSocketServer } from "ws";
import { RpcTarget, newWebSocketRpcSession, nodeHttpBatchRpcResponse } from "capnweb";

// Node 20 has no global WebSocket, which capnweb's WebSocket transport expects.
if (typeof globalThis.WebSocket === "undefined") globalThis.WebSocket = WebSocket;

class Counter extends RpcTarget {
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

class TestTarget extends RpcTarget {
  square(i) {
    return i * i;
  }
  makeCounter(i) {
    return new Counter(i);
  }
  echo(x) {
    return x;
  }
  add(a, b) {
    return a + b;
  }
}

const port = Number(process.argv[2] ?? 0);
const mode = process.argv[3] ?? "rpc";
if (!Number.isInteger(port) || port < 0 || port > 65535 || !["rpc", "raw"].includes(mode)) {
  console.error("Usage: node server.mjs PORT [rpc|raw]");
  process.exit(2);
}

const server = http.createServer((request, response) => {
  if (new URL(request.url, "http://localhost").pathname !== "/rpc" || mode !== "rpc") {
    response.writeHead(404, { "content-type": "text/plain" });
    response.end("Not found: the Cap'n Web endpoint is /rpc.");
    return;
  }
  nodeHttpBatchRpcResponse(request, response, new TestTarget()).catch((err) => {
    if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
    response.end(String(err));
  });
});

const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
server.on("upgrade", (request, socket, head) => {
  if (new URL(request.url, "http://localhost").pathname !== "/rpc") {
    socket.destroy();
    return;
  }
  wss.handleUpgrade(request, socket, head, (ws) => {
    if (mode === "raw") {
      ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    } else {
      newWebSocketRpcSession(ws, new TestTarget());
    }
  });
});

function stop() {
  for (const client of wss.clients) client.terminate();
  wss.close();
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

server.listen(port, "127.0.0.1", () => {
  console.log(`READY http://127.0.0.1:${server.address().port}`);
});
