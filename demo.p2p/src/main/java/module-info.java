/**
 * Alice and Bob: two Cap'n Web peers, each a server and a client, calling each other directly.
 */
module demo.p2p {
    // The API only: the engine and the transport arrive as jars on the module path. Transitive,
    // because the exported Peer implements the API's RpcTarget.
    requires transitive capnweb.api;

    // The engine calls the Peer's public methods reflectively, so their package must be exported.
    exports demo.p2p;
}
