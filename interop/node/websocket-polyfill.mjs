// Node 20 has no global WebSocket, which capnweb's WebSocket transport expects; the `ws`
// package provides a compatible one.
import { WebSocket } from "ws";

if (typeof globalThis.WebSocket === "undefined") {
  globalThis.WebSocket = WebSocket;
}

export { WebSocket };
