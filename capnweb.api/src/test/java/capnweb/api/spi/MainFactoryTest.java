package capnweb.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.RpcHeaders;
import capnweb.api.SessionRefusedException;
import capnweb.api.SessionRequest;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
