package demo;

import capnweb.api.*;
import capnweb.api.spi.*;
import java.io.*;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.*;
import java.util.concurrent.*;

public class JavaClient {
    static int failures;

    static void check(String name, Object actual, Object expected) {
        boolean ok = Objects.deepEquals(actual, expected);
        if (!ok) failures++;
        System.out.println((ok ? "ok   " : "FAIL ") + name + (ok ? "" : ": got " + actual + " expected " + expected));
    }

    public static class Counter implements RpcTarget {
        long i;
        Counter(long i) { this.i = i; }
        public long increment(long a) { i += a; return i; }
    }

    public static void main(String[] args) throws Exception {
        Process node = new ProcessBuilder("node", System.getenv("PROBE_DIR") + "/reference-server.mjs").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader in = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        Writer out = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8);
        List<String> log = new CopyOnWriteArrayList<>();
        MessageTransport t = new MessageTransport() {
            public void start(MessageReceiver r) {
                new Thread(() -> {
                    try { String l; while ((l = in.readLine()) != null) { log.add("<- " + l); r.onMessage(l); } r.onClosed(new EOFException("node exited")); }
                    catch (IOException e) { r.onClosed(e); }
                }).start();
            }
            public synchronized void send(String m) { log.add("-> " + m); try { out.write(m + "\n"); out.flush(); } catch (IOException e) { throw new UncheckedIOException(e); } }
            public void close() { try { out.close(); } catch (IOException e) {} }
            public void abort(Throwable reason) { close(); }
        };
        RpcSession session = CapnWeb.newSession(t, Undefined.INSTANCE,
                SessionOptions.builder().defaultTimeout(java.time.Duration.ofSeconds(5)).build());
        RpcStub api = session.main();
        try {
            check("square", api.call("square", 3).join(), 9L);
            check("square fraction", api.call("square", 1.5).join(), 2.25);
            try { api.call("throwError").join(); check("throwError", "no error", "error"); }
            catch (RpcException e) { check("throwError", e.type() + ": " + e.getMessage(), "RangeError: test error"); }
            try { api.call("nope").join(); check("nope", "no error", "error"); }
            catch (RpcException e) { check("missing member", e.type() + ": " + e.getMessage(), "TypeError: 'nope' is not a function."); }
            RpcStub counter = (RpcStub) api.call("makeCounter", 4).join();
            check("counter increment", counter.call("increment").join(), 5L);
            check("counter value", counter.get("value").join(), 5L);
            check("incrementCounter", api.call("incrementCounter", counter, 4).join(), 9L);
            counter.close();
            RpcPromise pc = api.call("makeCounter", 10);
            check("pipelined", pc.call("increment", 5).join(), 15L);
            pc.close();
            Counter local = new Counter(10);
            check("client target", api.call("incrementCounter", local, 3).join(), 13L);
            check("callSquare self", api.call("callSquare", api, 3).join(), Map.of("result", 9L));
            RpcFunction sq = a -> ((Number) a[0]).doubleValue() * ((Number) a[0]).doubleValue();
            check("callFunction", api.call("callFunction", sq, 3).join(), Map.of("result", 9L));
            RpcPromise two = api.call("square", 2);
            check("promise arg", api.call("square", two).join(), 16L);
            two.close();
            check("fib", api.call("generateFibonacci", 6).join(), List.of(0L, 1L, 1L, 2L, 3L, 5L));
            check("null", api.call("returnNull").join(), null);
            check("undefined", api.call("returnUndefined").join(), Undefined.INSTANCE);
            check("echo bigint", api.call("echo", new BigInteger("123456789012345678901234567890")).join(), new BigInteger("123456789012345678901234567890"));
            check("echo date", api.call("echo", Instant.ofEpochMilli(1234)).join(), Instant.ofEpochMilli(1234));
            check("echo bytes", api.call("echo", (Object) new byte[] {1, 2, 3}).join(), new byte[] {1, 2, 3});
            check("echo url", api.call("echo", URI.create("https://example.com/x")).join(), URI.create("https://example.com/x"));
            check("echo nan", api.call("echo", Double.NaN).join(), Double.NaN);
            check("echo map", api.call("echo", Map.of("a", List.of(1, Undefined.INSTANCE))).join(), Map.of("a", Arrays.asList(1L, Undefined.INSTANCE)));
            Object err = api.call("echo", RpcException.of("TypeError", "boom", Map.of("code", "E"))).join();
            check("echo error", err instanceof RpcException ? ((RpcException) err).type() + ((RpcException) err).properties() : err, "TypeError{code=E}");
            RpcPromise fibp = api.call("generateFibonacci", 6);
            check("fib prop", fibp.get(5).join(), 5L);
            fibp.close();
            Thread.sleep(100);
            check("client stats before", session.stats(), new SessionStats(1, 1));
            log.stream().skip(Math.max(0, log.size() - 12)).forEach(System.out::println);
            check("server stats", api.call("stats").join(), Map.of("imports", 1L, "exports", 1L));
            check("client stats", session.stats(), new SessionStats(1, 1));
        } catch (Throwable e) {
            failures++;
            e.printStackTrace();
            log.stream().skip(Math.max(0, log.size() - 20)).forEach(System.out::println);
        }
        System.out.println(failures == 0 ? "all passed" : failures + " failed");
        session.close();
        node.destroy();
        System.exit(failures == 0 ? 0 : 1);
    }
}
