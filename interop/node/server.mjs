// The reference server: capnweb's own WebSocket and HTTP batch endpoints exposing TestTarget on
// 127.0.0.1, path /rpc. Usage: node server.mjs [PORT]  (0 or nothing picks a free port).
// Prints "READY http://127.0.0.1:PORT" once it accepts connections; SIGTERM stops it.
// With TLS_PFX (a PKCS12 file of the key and certificate) and TLS_PASSPHRASE in the environment
// it serves https: and wss: instead, and prints "READY https://127.0.0.1:PORT".

import "./websocket-polyfill.mjs";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import { WebSocketServer } from "ws";
import { newWebSocketRpcSession, nodeHttpBatchRpcResponse } from "capnweb";
import { TestTarget } from "./test-target.mjs";

const port = Number(process.argv[2] ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`The port must be a number between 0 and 65535, got '${process.argv[2]}'.`);
  process.exit(2);
}

const tls = process.env.TLS_PFX
  ? { pfx: fs.readFileSync(process.env.TLS_PFX), passphrase: process.env.TLS_PASSPHRASE ?? "" }
  : null;

const handle = (request, response) => {
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
};
const server = tls ? https.createServer(tls, handle) : http.createServer(handle);

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
  console.log(`READY ${tls ? "https" : "http"}://127.0.0.1:${server.address().port}`);
});
