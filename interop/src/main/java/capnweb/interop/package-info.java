/**
 * The interop TestTarget and the {@link capnweb.interop.TestServer} that serves it.
 */
package capnweb.interop;
