package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.CapnWeb;
import capnweb.api.RpcFunction;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.SessionOptions;
import capnweb.api.spi.MessageReceiver;
import capnweb.api.spi.MessageTransport;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When the engine asks its transport to write: the messages the engine sends while handling a
 * turn's worth of work go out with one {@code flushSoon} at its end or before application code
 * runs, which a transport may hold while it delivers a burst; anything application code sends, an
 * abort, and a turn's text past 64 Ki characters are flushed at once.
 */
@Timeout(10)
class SendFlushTest {

    /** Records sends and flushes in order, as "send &lt;message&gt;", "flush" and "flushSoon". */
    static final class RecordingTransport implements MessageTransport {
        final List<String> events = new CopyOnWriteArrayList<>();
        MessageReceiver receiver;

        @Override
        public void start(MessageReceiver receiver) {
            this.receiver = receiver;
        }

        @Override
        public void send(String message) {
            events.add("send " + message);
        }

        @Override
        public void flush() {
            events.add("flush");
        }

        @Override
        public void flushSoon() {
            events.add("flushSoon");
        }

        @Override
        public void close() {
            events.add("close");
        }

        @Override
        public void abort(Throwable reason) {
            events.add("abort");
        }
    }

    /** Runs the session's turns only when the test says so. */
    private final Queue<Runnable> turns = new ArrayDeque<>();
    private final RecordingTransport transport = new RecordingTransport();

    private RpcSession serve(Object main) {
        RpcSession session = CapnWeb.newSession(transport, main, SessionOptions.builder().executor(turns::add).build());
        runTurns();
        transport.events.clear();
        return session;
    }

    private void runTurns() {
        Runnable turn;
        while ((turn = turns.poll()) != null) {
            turn.run();
        }
    }

    public static final class Main implements RpcTarget {
        final List<List<String>> seenDuringCallback = new ArrayList<>();
        RecordingTransport transport;

        public long square(long n) {
            return n * n;
        }

        public String text(long length) {
            return "x".repeat((int) length);
        }

        public String callBack(RpcStub function) {
            function.call("", "hi").close();
            seenDuringCallback.add(List.copyOf(transport.events));
            return "done";
        }
    }

    @Test
    void answersSentWhileHandlingOneTurnGoOutWithOneFlush() {
        serve(new Main());
        transport.receiver.onMessage("[\"push\",[\"pipeline\",0,[\"square\"],[2]]]");
        transport.receiver.onMessage("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]");
        transport.receiver.onMessage("[\"pull\",1]");
        transport.receiver.onMessage("[\"pull\",2]");
        assertThat(transport.events).as("nothing before the turn runs").isEmpty();
        runTurns();
        assertThat(transport.events).containsExactly(
                "send [\"resolve\",1,4]",
                "send [\"resolve\",2,9]",
                "flushSoon");
    }

    @Test
    void largeAnswersAreWrittenAsTheTurnGoesNotHeldToItsEnd() {
        serve(new Main());
        int big = Session.FLUSH_AT_CHARS;
        for (int i = 1; i <= 3; i++) {
            transport.receiver.onMessage("[\"push\",[\"pipeline\",0,[\"text\"],[" + big + "]]]");
        }
        for (int i = 1; i <= 3; i++) {
            transport.receiver.onMessage("[\"pull\"," + i + "]");
        }
        runTurns();
        List<String> kinds = transport.events.stream().map(e -> e.startsWith("send") ? "send" : e).toList();
        assertThat(kinds).containsExactly("send", "flush", "send", "flush", "send", "flush");
    }

    @Test
    void whatApplicationCodeSendsIsFlushedBeforeItReturns() {
        Main main = new Main();
        main.transport = transport;
        serve(main);
        transport.receiver.onMessage("[\"push\",[\"pipeline\",0,[\"square\"],[5]]]");
        transport.receiver.onMessage("[\"pull\",1]");
        transport.receiver.onMessage("[\"push\",[\"pipeline\",0,[\"callBack\"],[[\"export\",-1]]]]");
        runTurns();
        // The answer to the first call was flushed before the second target method ran, and the
        // call that method made was flushed before it returned.
        assertThat(main.seenDuringCallback).hasSize(1);
        List<String> seen = main.seenDuringCallback.get(0);
        assertThat(seen.get(0)).isEqualTo("send [\"resolve\",1,25]");
        assertThat(seen.get(1)).isEqualTo("flushSoon");
        int push = -1;
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i).startsWith("send [\"push\",[\"pipeline\",-1,")) {
                push = i;
            }
        }
        assertThat(push).as("the call back to the peer was sent").isPositive();
        assertThat(seen.get(push + 1)).isEqualTo("flush");
        assertThat(seen.get(seen.size() - 1)).isEqualTo("flush");
    }

    @Test
    void withDirectExecutionWhatTargetsSendWaitsForTheEndOfTheTurn() {
        Main main = new Main();
        main.transport = transport;
        CapnWeb.newSession(transport, main, SessionOptions.builder().directExecutor().build());
        transport.events.clear();
        // Handled on this thread at once: the target promised never to block, so its call back
        // to the peer travels with the rest of the turn.
        transport.receiver.onMessage("[\"push\",[\"pipeline\",0,[\"callBack\"],[[\"export\",-1]]]]");
        List<String> seen = main.seenDuringCallback.get(0);
        assertThat(seen).isNotEmpty().doesNotContain("flush", "flushSoon");
        assertThat(seen.get(0)).startsWith("send [\"push\",[\"pipeline\",-1,");
        assertThat(transport.events.get(transport.events.size() - 1)).isEqualTo("flushSoon");
        assertThat(transport.events).filteredOn(e -> e.startsWith("flush")).containsExactly("flushSoon");
    }

    @Test
    void aCallFromAnApplicationThreadIsFlushedWithItsTurn() {
        RpcSession session = serve(new Main());
        RpcStub peer = session.main();
        runTurns();
        transport.events.clear();
        peer.call("anything", 1).close();
        runTurns();
        assertThat(transport.events).isNotEmpty();
        assertThat(transport.events.get(0)).startsWith("send [\"push\",");
        assertThat(transport.events.get(transport.events.size() - 1)).isEqualTo("flushSoon");
    }

    @Test
    void anAbortIsFlushedBeforeTheTransportIsAborted() {
        serve(new Main());
        transport.receiver.onMessage("not json");
        runTurns();
        assertThat(transport.events).hasSizeGreaterThanOrEqualTo(3);
        int abort = transport.events.indexOf("abort");
        assertThat(transport.events.get(abort - 1)).isEqualTo("flush");
        assertThat(transport.events.get(abort - 2)).startsWith("send [\"abort\",");
    }
}
