package capnweb.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SessionLimitTest {

    @Test
    void placesAreTakenUpToTheLimitAndFreedByRelease() {
        SessionLimit limit = new SessionLimit(2);
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
        SessionLimit limit = new SessionLimit(1);
        assertThatThrownBy(limit::release).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("never taken");
        assertThat(limit.tryAcquire()).as("the count did not go below zero").isTrue();
        assertThat(limit.tryAcquire()).isFalse();
    }

    @Test
    void noLimitCountsNothing() {
        SessionLimit limit = new SessionLimit(Integer.MAX_VALUE);
        for (int i = 0; i < 1000; i++) {
            assertThat(limit.tryAcquire()).isTrue();
        }
        assertThat(limit.acquired()).isZero();
        limit.release();
    }

    @Test
    void theRefusalSaysWhatTheLimitIs() {
        assertThat(new SessionLimit(7).refusal()).isEqualTo(
                "This Cap'n Web server is already serving as many sessions as it allows (7); try again later.");
        assertThatThrownBy(() -> new SessionLimit(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxSessions must be positive");
    }

    @Test
    void racingThreadsNeverTakeMoreThanTheLimit() throws Exception {
        SessionLimit limit = new SessionLimit(5);
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
