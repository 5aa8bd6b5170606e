package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcPromise;
import capnweb.api.RpcStub;
import capnweb.api.Undefined;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where the application's promise callbacks run by default, for a session whose transport
 * delivers on threads that must not block (so that the session runs on the engine's pool): on the
 * pool thread that settled the promise, once it has left the session, and never one behind another
 * that blocks.
 */
@Timeout(20)
class CallbackThreadTest {

    @Test
    void aCallbackRunsOnTheEngineThreadThatSettledItAfterLeavingTheSession() throws Exception {
        try (RawPeer.Connected conn = RawPeer.connect(Undefined.INSTANCE)) {
            RpcStub main = conn.session().main();
            CompletableFuture<String> thread = new CompletableFuture<>();
            CompletableFuture<Object> nested = new CompletableFuture<>();
            RpcPromise first = main.call("square", 3);
            first.thenAccept(v -> {
                thread.complete(Thread.currentThread().getName());
                // The session is free again: a call made and awaited here is answered.
                try (RpcPromise second = main.call("square", 4)) {
                    nested.complete(second.join());
                } catch (RuntimeException e) {
                    nested.completeExceptionally(e);
                }
            });
            conn.peer().expect("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]");
            conn.peer().expect("[\"pull\",1]");
            conn.peer().inject("[\"resolve\",1,9]");

            assertThat(thread.get(5, TimeUnit.SECONDS)).startsWith("capnweb-engine-");
            conn.peer().expect("[\"release\",1,1]");
            conn.peer().expect("[\"push\",[\"pipeline\",0,[\"square\"],[4]]]");
            conn.peer().expect("[\"pull\",2]");
            conn.peer().inject("[\"resolve\",2,16]");
            assertThat(nested.get(5, TimeUnit.SECONDS)).isEqualTo(16L);
            first.close();
        }
    }

    @Test
    void callbacksSettledInOneTurnNeverWaitBehindOneThatBlocks() throws Exception {
        TestTargets.Gate local = new TestTargets.Gate();
        try (RawPeer.Connected conn = RawPeer.connect(local)) {
            RpcStub main = conn.session().main();
            RpcPromise first = main.call("square", 3);
            RpcPromise second = main.call("square", 4);
            CountDownLatch secondRan = new CountDownLatch(1);
            CompletableFuture<Boolean> firstSawSecond = new CompletableFuture<>();
            first.thenAccept(v -> {
                try {
                    firstSawSecond.complete(secondRan.await(5, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    firstSawSecond.completeExceptionally(e);
                }
            });
            second.thenAccept(v -> secondRan.countDown());
            conn.peer().expectUnordered("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]",
                    "[\"push\",[\"pipeline\",0,[\"square\"],[4]]]", "[\"pull\",1]", "[\"pull\",2]");

            // The session is held in a call of its own target while both answers arrive, so that
            // one turn settles both promises.
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"block\"],[]]]");
            assertThat(local.entered.await(5, TimeUnit.SECONDS)).isTrue();
            conn.peer().inject("[\"resolve\",1,9]", "[\"resolve\",2,16]");
            local.release.countDown();

            assertThat(firstSawSecond.get(10, TimeUnit.SECONDS)).isTrue();
            first.close();
            second.close();
        }
    }
}
