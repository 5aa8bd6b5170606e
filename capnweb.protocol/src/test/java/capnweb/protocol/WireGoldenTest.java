package capnweb.protocol;

import static capnweb.protocol.RawPeer.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.SessionStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Whole conversations recorded between a reference client and a reference server (capnweb
 * 0.12.0, both in Node, over an in-memory transport), replayed against a Java server: the client's
 * frames ({@code C}) are injected, and the Java server must answer with the server's frames
 * ({@code S}). Consecutive server frames may come in any order among themselves.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WireGoldenTest {

    /**
     * The client did: square(3); makeCounter(5) then increment(2), value, dispose; add(a
     * pipelined counter's value, 3); callFunction(x => x * 10, 4); throwError(); echo of an object
     * with an array, undefined, a date and a bigint.
     */
    private static final String CONVERSATION = """
            C ["push",["pipeline",0,["square"],[3]]]
            C ["pull",1]
            S ["resolve",1,9]
            C ["release",1,1]
            C ["push",["pipeline",0,["makeCounter"],[5]]]
            C ["pull",2]
            S ["resolve",2,["export",-1]]
            C ["release",2,1]
            C ["push",["pipeline",-1,["increment"],[2]]]
            C ["pull",3]
            S ["resolve",3,7]
            C ["release",3,1]
            C ["push",["pipeline",-1,["value"]]]
            C ["pull",4]
            S ["resolve",4,7]
            C ["release",4,1]
            C ["release",-1,1]
            C ["push",["pipeline",0,["makeCounter"],[1]]]
            C ["push",["pipeline",0,["add"],[["pipeline",5,["value"]],3]]]
            C ["pull",6]
            S ["resolve",6,4]
            C ["release",6,1]
            C ["push",["pipeline",0,["callFunction"],[["export",-1],4]]]
            C ["pull",7]
            S ["push",["pipeline",-1,[],[4]]]
            S ["pull",1]
            C ["resolve",1,40]
            S ["release",1,1]
            S ["release",-1,1]
            S ["resolve",7,{"result":40}]
            C ["release",7,1]
            C ["push",["pipeline",0,["throwError"],[]]]
            C ["pull",8]
            S ["reject",8,["error","RangeError","test error"]]
            C ["release",8,1]
            C ["push",["pipeline",0,["echo"],[{"a":[[1,["undefined"],["date",5]]],"b":["bigint","10"]}]]]
            C ["pull",9]
            S ["resolve",9,{"a":[[1,["undefined"],["date",5]]],"b":["bigint","10"]}]
            C ["release",9,1]
            """;

    @Test
    void javaServerAnswersAReferenceClientsConversationFrameForFrame() {
        WireTargets.Main main = new WireTargets.Main();
        try (RawPeer.Connected conn = RawPeer.connect(main)) {
            replay(conn.peer(), CONVERSATION);
            conn.peer().expectNothing();
            assertThat(main.made.get(0).closes.get()).as("the disposed counter is closed").isEqualTo(1);
            // The reference client never released push 5 (a pipelined intermediate), so the
            // reference server still holds it: two exports, as here.
            eventually("tables hold the mains and push 5 (" + conn.session().stats() + ")",
                    () -> conn.session().stats().equals(new SessionStats(1, 2)));
            conn.peer().inject("[\"release\",5,1]");
            eventually("tables back to baseline", () -> conn.session().stats().equals(new SessionStats(1, 1)));
            eventually("the intermediate counter is closed", () -> main.made.get(1).closes.get() == 1);
        }
    }

    @Test
    void exportIdsAreNeverReusedAfterARelease() {
        // protocol.md: "IDs are never reused". In the recorded conversation the server's next
        // export after releasing -1 was -2.
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            replay(conn.peer(), """
                    C ["push",["pipeline",0,["makeCounter"],[5]]]
                    C ["pull",1]
                    S ["resolve",1,["export",-1]]
                    C ["release",1,1]
                    C ["release",-1,1]
                    C ["push",["pipeline",0,["makeCounter"],[6]]]
                    C ["pull",2]
                    S ["resolve",2,["export",-2]]
                    """);
        }
    }

    @Test
    void replayHelperGroupsServerFramesAndKeepsClientOrder() {
        List<String[]> steps = parse("""
                C ["a"]
                S ["b"]
                S ["c"]
                C ["d"]
                """);
        assertThat(steps).hasSize(3);
        assertThat(steps.get(0)).containsExactly("C", "[\"a\"]");
        assertThat(steps.get(1)).containsExactly("S", "[\"b\"]", "[\"c\"]");
        assertThat(steps.get(2)).containsExactly("C", "[\"d\"]");
    }

    private static void replay(RawPeer peer, String conversation) {
        for (String[] step : parse(conversation)) {
            String[] frames = java.util.Arrays.copyOfRange(step, 1, step.length);
            if (step[0].equals("C")) {
                peer.inject(frames);
            } else {
                peer.expectUnordered(frames);
            }
        }
    }

    /** Splits a conversation into steps: a direction followed by its consecutive frames. */
    private static List<String[]> parse(String conversation) {
        List<String[]> steps = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String line : conversation.strip().split("\n")) {
            String dir = line.substring(0, 1);
            String frame = line.substring(2).strip();
            if (!current.isEmpty() && !current.get(0).equals(dir)) {
                steps.add(current.toArray(new String[0]));
                current = new ArrayList<>();
            }
            if (current.isEmpty()) {
                current.add(dir);
            }
            current.add(frame);
        }
        if (!current.isEmpty()) {
            steps.add(current.toArray(new String[0]));
        }
        return steps;
    }
}
