package capnweb.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.RpcHeaders;
import capnweb.api.SessionRefusedException;
import capnweb.api.SessionRequest;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MainFactoryTest {
    private static final SessionRequest REQUEST = SessionRequest.of(false, URI.create("http://h/rpc"),
            RpcHeaders.of("Cookie", "id=1"), null);

    @Test
    void aPlainFactoryNeverHasTheRequestDescribed() {
        MainFactory plain = MainFactory.of(() -> "main");
        assertThat(plain.readsRequest()).isFalse();
        assertThat(plain.newMain(() -> {
            throw new AssertionError("described for a factory that does not read it");
        })).isEqualTo("main");
    }

    @Test
    void aRequestFactoryGetsTheDescribedRequest() {
        AtomicInteger described = new AtomicInteger();
        MainFactory reading = MainFactory.ofRequest(r -> r.header("cookie").orElseThrow());
        assertThat(reading.readsRequest()).isTrue();
        assertThat(reading.newMain(() -> {
            described.incrementAndGet();
            return REQUEST;
        })).isEqualTo("id=1");
        assertThat(described).hasValue(1);
    }

    @Test
    void aFactoryThatReturnsNullIsNamedWithWhatToReturn() {
        assertThatThrownBy(() -> MainFactory.of(() -> null).newMain(() -> REQUEST))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("The main object factory returned null; return an RpcTarget or RpcFunction for each session.");
    }

    @Test
    void anAsynchronousFactoryAnswersWithItsStage() {
        CompletableFuture<Object> stage = new CompletableFuture<>();
        MainFactory async = MainFactory.ofRequestAsync(r -> stage);
        assertThat(async.isAsync()).isTrue();
        assertThat(async.readsRequest()).isTrue();
        CompletableFuture<Object> main = async.newMainAsync(() -> REQUEST);
        assertThat(main).isNotDone();
        stage.complete("main");
        assertThat(main).isCompletedWithValue("main");
        assertThatThrownBy(() -> async.newMain(() -> REQUEST)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("newMainAsync");
    }

    @Test
    void aPlainFactoryAnswersAsynchronouslyAtOnce() {
        MainFactory plain = MainFactory.of(() -> "main");
        assertThat(plain.isAsync()).isFalse();
        assertThat(plain.newMainAsync(() -> REQUEST)).isCompletedWithValue("main");
        assertThat(MainFactory.of(() -> null).newMainAsync(() -> REQUEST)).isCompletedExceptionally();
    }

    @Test
    void anAsynchronousFactorysFailuresReachTheStageUnwrapped() {
        SessionRefusedException refused = new SessionRefusedException(403, "Not you.");
        assertThat(MainFactory.ofRequestAsync(r -> {
            throw refused;
        }).newMainAsync(() -> REQUEST)).failsWithin(Duration.ZERO).withThrowableThat().havingCause().isSameAs(refused);
        CompletableFuture<Object> wrapped = MainFactory.ofRequestAsync(
                r -> CompletableFuture.supplyAsync(() -> {
                    throw refused;
                })).newMainAsync(() -> REQUEST);
        assertThat(wrapped).failsWithin(Duration.ofSeconds(10)).withThrowableThat().havingCause().isSameAs(refused);
        assertThat(MainFactory.ofRequestAsync(r -> null).newMainAsync(() -> REQUEST))
                .failsWithin(Duration.ZERO).withThrowableThat().havingCause()
                .isInstanceOf(IllegalStateException.class).satisfies(e ->
                        assertThat(e.getMessage()).contains("returned null instead of a stage"));
        assertThat(MainFactory.ofRequestAsync(r -> CompletableFuture.completedFuture(null)).newMainAsync(() -> REQUEST))
                .failsWithin(Duration.ZERO).withThrowableThat().havingCause()
                .isInstanceOf(IllegalStateException.class).satisfies(e ->
                        assertThat(e.getMessage()).contains("completed with null"));
    }

    @Test
    void anAsynchronousFactorysStageThatTakesTooLongRefusesTheSessionWith503() throws Exception {
        List<CompletableFuture<Object>> stages = new CopyOnWriteArrayList<>();
        MainFactory timed = MainFactory.ofRequestAsync(r -> {
            CompletableFuture<Object> stage = new CompletableFuture<>();
            stages.add(stage);
            return stage;
        }).withTimeout(Duration.ofMillis(50));

        CompletableFuture<Object> late = timed.newMainAsync(() -> REQUEST);
        assertThat(late).failsWithin(Duration.ofSeconds(10)).withThrowableThat().havingCause()
                .isInstanceOfSatisfying(SessionRefusedException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.getMessage()).isEqualTo(MainFactory.TIMED_OUT);
                });
        CountDownLatch closed = new CountDownLatch(1);
        stages.get(0).complete((AutoCloseable) closed::countDown);
        assertThat(closed.await(10, TimeUnit.SECONDS)).as("a main made after the refusal is closed").isTrue();

        CompletableFuture<Object> prompt = timed.newMainAsync(() -> REQUEST);
        stages.get(1).complete("main");
        assertThat(prompt).as("a stage that completes in time gives its main").isCompletedWithValue("main");
    }

    @Test
    void onlyAsynchronousFactoriesAreTimedAndOnlyByAPositiveBound() {
        MainFactory plain = MainFactory.of(() -> "main");
        assertThat(plain.withTimeout(Duration.ofMillis(1))).isSameAs(plain);
        assertThatThrownBy(() -> MainFactory.ofRequestAsync(r -> new CompletableFuture<>()).withTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("factoryTimeout must be positive");
    }

    @Test
    void theApplicationsRefusalIsAnsweredAsItIsAndAnyOtherFailureAs500() {
        SessionRefusedException own = new SessionRefusedException(403, "Not you.");
        assertThat(MainFactory.refusal(own)).isSameAs(own);
        assertThat(MainFactory.refusal(new CompletionException(own))).isSameAs(own);
        SessionRefusedException failed = MainFactory.refusal(new IllegalStateException("database password wrong"));
        assertThat(failed.status()).isEqualTo(500);
        assertThat(failed.getMessage()).isEqualTo(MainFactory.FAILED).doesNotContain("password");
    }

    @Test
    void aMainNoSessionTookIsClosedIfItCanBe() {
        AtomicInteger closed = new AtomicInteger();
        MainFactory.discard((AutoCloseable) closed::incrementAndGet);
        MainFactory.discard((AutoCloseable) () -> {
            throw new Exception("close failed");
        });
        MainFactory.discard("not closeable");
        assertThat(closed).hasValue(1);
    }
}
