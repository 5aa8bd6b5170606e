/**
 * The Cap'n Web protocol engine. Not exported: users reach it through {@code capnweb.api}.
 *
 * <p>It follows the reference implementation's structure, so that its behaviour can be checked
 * against it piece by piece:
 * <ul>
 * <li>Wire codec: {@link capnweb.protocol.Json} (text, with the receive limits and JavaScript's
 *     number and string formatting), {@link capnweb.protocol.Devaluator} (values to expressions),
 *     {@link capnweb.protocol.Evaluator} (expressions to values), with
 *     {@link capnweb.protocol.ByteTypes}, {@link capnweb.protocol.InvalidDate} and
 *     {@link capnweb.protocol.Urls} for the values JavaScript and Java model differently.</li>
 * <li>Values in flight: {@link capnweb.protocol.Payload} (owns the stubs and promises in a value,
 *     substitutes promises before delivery) and {@link capnweb.protocol.AppValues} (snapshots an
 *     application's call arguments on its own thread).</li>
 * <li>Hooks, what stubs point at: {@link capnweb.protocol.StubHook} and its kinds
 *     ({@link capnweb.protocol.TargetHook}, {@link capnweb.protocol.PayloadHook},
 *     {@link capnweb.protocol.PromiseHook}, {@link capnweb.protocol.ErrorHook},
 *     {@link capnweb.protocol.ImportHook}, {@link capnweb.protocol.CrossSessionHook}), with
 *     {@link capnweb.protocol.ValueHook} for paths into local values.</li>
 * <li>Streams (the reference's streams.ts): {@link capnweb.protocol.Streams} (the stream and
 *     Fetch expressions), {@link capnweb.protocol.Pipe} (a received pipe, and the feed of a local
 *     subscriber), {@link capnweb.protocol.WritableHook} (the export a peer writes to),
 *     {@link capnweb.protocol.ReadableHook} (cancels an unread stream),
 *     {@link capnweb.protocol.RemoteWritable} (writing to a peer's stream with {@code stream}
 *     messages) and {@link capnweb.protocol.FlowController} (its window).</li>
 * <li>Sessions: {@link capnweb.protocol.Session} (tables, messages, the end of a session),
 *     {@link capnweb.protocol.BatchServer} and {@link capnweb.protocol.BatchClient} (HTTP
 *     batch), {@link capnweb.protocol.MapApplicator} (received map() recordings).</li>
 * <li>Application surface: {@link capnweb.protocol.StubImpl} and
 *     {@link capnweb.protocol.PromiseImpl} (with deadlines and cancellation),
 *     {@link capnweb.protocol.TypedStub} (stubs seen as application interfaces),
 *     {@link capnweb.protocol.MapRecorder} (map() recordings); {@link capnweb.protocol.Dispatcher} and
 *     {@link capnweb.protocol.Convert} for calls into Java targets.</li>
 * <li>Threading: {@link capnweb.protocol.SessionExecutor} (one serial event loop per session,
 *     with microtasks) and {@link capnweb.protocol.Later} (a promise with JavaScript's ordering),
 *     on the daemon pools of {@link capnweb.protocol.EnginePools}.</li>
 * </ul>
 */
package capnweb.protocol;
