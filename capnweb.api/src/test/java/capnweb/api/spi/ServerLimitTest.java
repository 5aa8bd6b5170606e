package capnweb.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ServerLimitTest {

    @Test
    void placesAreTakenUpToTheLimitAndFreedByRelease() {
        ServerLimit limit = ServerLimit.sessions(2);
        assertThat(limit.tryAcquire()).isTrue();
        assertThat(limit.tryAcquire()).isTrue();
        assertThat(limit.tryAcquire()).isFalse();
        assertThat(limit.acquired()).isEqualTo(2);
        limit.release();
        assertThat(limit.tryAcquire()).isTrue();
        assertThat(limit.tryAcquire()).isFalse();
    }

    @Test
    void aReleaseWithoutAPlaceTakenIsAnError() {
        ServerLimit limit = ServerLimit.sessions(1);
        assertThatThrownBy(limit::release).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("never taken");
        assertThat(limit.tryAcquire()).as("the count did not go below zero").isTrue();
        assertThat(limit.tryAcquire()).isFalse();
    }

    @Test
    void noLimitCountsNothing() {
        ServerLimit limit = ServerLimit.sessions(Integer.MAX_VALUE);
        for (int i = 0; i < 1000; i++) {
            assertThat(limit.tryAcquire()).isTrue();
        }
        assertThat(limit.acquired()).isZero();
        limit.release();
    }

    @Test
    void theRefusalSaysWhatTheLimitIs() {
        assertThat(ServerLimit.sessions(7).refusal()).isEqualTo(
                "This Cap'n Web server is already serving as many sessions as it allows (7); try again later.");
        assertThatThrownBy(() -> ServerLimit.sessions(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxSessions must be positive");
        assertThat(ServerLimit.connections(3).refusal()).isEqualTo(
                "This Cap'n Web server is already serving as many connections as it allows (3); try again later.");
        assertThatThrownBy(() -> ServerLimit.connections(-2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxConnections must be positive, got -2");
    }

    @Test
    void racingThreadsNeverTakeMoreThanTheLimit() throws Exception {
        ServerLimit limit = ServerLimit.sessions(5);
        AtomicInteger granted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 10_000; i++) {
                    if (limit.tryAcquire()) {
                        if (granted.incrementAndGet() > 5) {
                            throw new AssertionError("more than 5 places taken at once");
                        }
                        granted.decrementAndGet();
                        limit.release();
                    }
                }
            });
            thread.setUncaughtExceptionHandler((x, e) -> {
                synchronized (failures) {
                    failures.add(e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertThat(failures).isEmpty();
        assertThat(limit.acquired()).isZero();
    }
}
