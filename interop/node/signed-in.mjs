// Calls whoami() with the reference client on a server that authenticates each session by its
// Authorization header.
//
// Usage: node signed-in.mjs URL [TOKEN]
//   URL    ws://HOST:PORT/rpc (a WebSocket session) or http://HOST:PORT/rpc (an HTTP batch)
//   TOKEN  sent as "Authorization: Bearer TOKEN"; none sends no header
// Environment: CLIENT_CERT and CLIENT_KEY, PEM files of a client certificate and its key, which
// a WebSocket session presents to a server that asks for one (mutual TLS). Node's fetch takes
// no client certificate, so HTTP batches present none.
//
// Prints one JSON line: {"result": ...} or {"error": "..."}, and exits 0 either way.

import { WebSocket } from "./websocket-polyfill.mjs";
import { newHttpBatchRpcSession, newWebSocketRpcSession } from "capnweb";
import { readFileSync } from "node:fs";

const [url, token] = process.argv.slice(2);
const headers = token ? { Authorization: `Bearer ${token}` } : {};
const clientCertificate = process.env.CLIENT_CERT
    ? { cert: readFileSync(process.env.CLIENT_CERT), key: readFileSync(process.env.CLIENT_KEY) } : {};

try {
  // Browsers cannot set headers on a WebSocket; the ws package and fetch's Request can.
  const api = url.startsWith("ws")
      ? newWebSocketRpcSession(new WebSocket(url, { headers, ...clientCertificate }))
      : newHttpBatchRpcSession(new Request(url, { headers }));
  const result = await api.whoami();
  console.log(JSON.stringify({ result }));
} catch (e) {
  console.log(JSON.stringify({ error: String(e?.message ?? e) }));
}
process.exit(0);
