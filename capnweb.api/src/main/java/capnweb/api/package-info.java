/**
 * Cap'n Web for Java: an object-capability RPC protocol with JSON on the wire.
 *
 * <p>Start with {@link capnweb.api.CapnWeb}: {@code CapnWeb.connect(uri)} opens a session to a
 * peer, {@code CapnWeb.serve(options)} serves one, and {@code CapnWeb.newSession(transport, main)}
 * runs a session over a transport of your own. A session gives you the peer's main object as an
 * {@link capnweb.api.RpcStub}; every call returns an {@link capnweb.api.RpcPromise}, which is both
 * a {@link java.util.concurrent.CompletionStage} and a stub for its own future result, so
 * dependent calls pipeline without a round trip.
 *
 * <p>Objects that implement {@link capnweb.api.RpcTarget} travel by reference: the peer receives a
 * stub and calls it back. Everything else travels by value.
 *
 * <p>Streams travel with flow control: pass any {@link java.util.concurrent.Flow.Publisher} to send
 * a readable stream (see {@link capnweb.api.RpcStreams}), any
 * {@link java.util.concurrent.Flow.Subscriber} to let the peer write to you; what arrives is an
 * {@link capnweb.api.RpcReadableStream} or an {@link capnweb.api.RpcWritableStream}. The Fetch
 * API's values have their own types: {@link capnweb.api.RpcBlob}, {@link capnweb.api.RpcHeaders},
 * {@link capnweb.api.RpcRequest} and {@link capnweb.api.RpcResponse}.
 */
package capnweb.api;
