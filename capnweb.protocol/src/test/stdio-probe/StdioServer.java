package demo;

import capnweb.api.*;
import capnweb.api.spi.*;
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.*;

public class StdioServer {
    public static class Counter implements RpcTarget, AutoCloseable {
        private double i;
        public Counter(double i) { this.i = i; }
        public double increment() { return increment(1); }
        public double increment(double a) { i += a; return i; }
        public double value() { return i; }
        public void close() { System.err.println("counter closed"); }
    }

    public static class TestTarget implements RpcTarget {
        public double square(double i) { return i * i; }
        public Map<String, Object> callSquare(RpcStub self, double i) { return Map.of("result", self.call("square", i)); }
        public CompletionStage<Map<String, Object>> callFunction(RpcStub func, double i) {
            return func.invoke(i).thenApply(r -> Map.of("result", r));
        }
        public void throwError() { throw RpcException.of("RangeError", "test error"); }
        public Counter makeCounter(double i) { return new Counter(i); }
        public RpcPromise incrementCounter(RpcStub c) { return c.call("increment", 1); }
        public RpcPromise incrementCounter(RpcStub c, double i) { return c.call("increment", i); }
        public List<Long> generateFibonacci(int n) {
            List<Long> out = new ArrayList<>(); long a = 0, b = 1;
            for (int k = 0; k < n; k++) { out.add(a); long t = a + b; a = b; b = t; }
            return out;
        }
        public Object returnNull() { return null; }
        public Undefined returnUndefined() { return Undefined.INSTANCE; }
        public Object returnNumber(Object i) { return i; }
        public Object echo(Object x) { return x; }
        public double add(double a, double b) { return a + b; }
        public Map<String, Object> stats() { SessionStats st = SESSION.stats(); return Map.of("imports", st.imports(), "exports", st.exports()); }
    }
    static volatile RpcSession SESSION;

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        CountDownLatch done = new CountDownLatch(1);
        MessageTransport t = new MessageTransport() {
            MessageReceiver r;
            public void start(MessageReceiver r) {
                this.r = r;
                Thread th = new Thread(() -> {
                    try {
                        String line;
                        while ((line = in.readLine()) != null) r.onMessage(line);
                        r.onClosed(new EOFException("stdin closed"));
                    } catch (IOException e) { r.onClosed(e); }
                });
                th.start();
            }
            public synchronized void send(String m) { out.println(m); }
            public void close() { done.countDown(); }
            public void abort(Throwable reason) { System.err.println("abort: " + reason); done.countDown(); }
        };
        RpcSession s = CapnWeb.newSession(t, new TestTarget());
        SESSION = s;
        done.await();
        System.err.println("stats at end: " + s.stats());
        System.exit(0);
    }
}
