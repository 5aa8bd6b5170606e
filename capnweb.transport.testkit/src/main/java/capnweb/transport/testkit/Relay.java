package capnweb.transport.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/** Copies bytes both ways between two sockets, on two daemon threads, for the test proxies. */
final class Relay {
    private Relay() {
    }

    /**
     * Relays {@code a} and {@code b} to each other until either ends: an end of stream is passed
     * on as one, and a failure on either side closes both.
     */
    static void between(Socket a, Socket b, String threadName) {
        pump(a, b, threadName);
        pump(b, a, threadName);
    }

    private static void pump(Socket from, Socket to, String threadName) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
                to.shutdownOutput();
            } catch (IOException e) {
                // cut, or the other side went away
                close(from);
                close(to);
            }
        }, threadName);
        t.setDaemon(true);
        t.start();
    }

    static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
