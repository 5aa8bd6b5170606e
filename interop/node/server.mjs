// The reference server: capnweb's own WebSocket and HTTP batch endpoints exposing TestTarget on
// 127.0.0.1, path /rpc. Usage: node server.mjs [PORT]  (0 or nothing picks a free port).
// Prints "READY http://127.0.0.1:PORT" once it accepts connections; SIGTERM stops it.

import "./websocket-polyfill.mjs";
import http from "node:http";
import { WebSocketServer } from "ws";
import { newWebSocketRpcSession, nodeHttpBatchRpcResponse } from "capnweb";
import { TestTarget } from "./test-target.mjs";

const port = Number(process.argv[2] ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`The port must be a number between 0 and 65535, got '${process.argv[2]}'.`);
  process.exit(2);
}

const server = http.createServer((request, response) => {
  const path = new URL(request.url, "http://localhost").pathname;
  if (path !== "/rpc") {
    response.writeHead(404, { "content-type": "text/plain" });
    response.end("Not found: the Cap'n Web endpoint is /rpc.");
    return;
  }
  nodeHttpBatchRpcResponse(request, response, new TestTarget()).catch((err) => {
    if (!response.headersSent) {
      response.writeHead(500, { "content-type": "text/plain" });
    }
    response.end(String(err));
  });
});

const wss = new WebSocketServer({ noServer: true });
server.on("upgrade", (request, socket, head) => {
  const path = new URL(request.url, "http://localhost").pathname;
  if (path !== "/rpc") {
    socket.destroy();
    return;
  }
  wss.handleUpgrade(request, socket, head, (ws) => {
    newWebSocketRpcSession(ws, new TestTarget());
  });
});

function stop() {
  for (const client of wss.clients) {
    client.terminate();
  }
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
