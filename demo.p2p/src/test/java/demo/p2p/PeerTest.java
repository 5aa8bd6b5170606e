package demo.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PeerTest {

    @Test
    void greetingNamesThePeer() {
        assertThat(new Peer("Alice").greet()).isEqualTo("Hello, I'm Alice!");
    }

    @Test
    void chatCountsMessages() {
        Peer bob = new Peer("Bob");
        assertThat(bob.chat("one")).isEqualTo("Bob has received 1 message");
        assertThat(bob.chat("two")).isEqualTo("Bob has received 2 messages");
        assertThat(bob.getStats()).isEqualTo(new Peer.Stats("Bob", 2));
    }

    @Test
    void farewellIsAwaited() {
        Peer alice = new Peer("Alice");
        assertThat(alice.awaitFarewell(0)).isFalse();
        assertThat(alice.bye("Bob")).isEqualTo("Goodbye, Bob, from Alice.");
        assertThat(alice.awaitFarewell(1)).isTrue();
    }
}
