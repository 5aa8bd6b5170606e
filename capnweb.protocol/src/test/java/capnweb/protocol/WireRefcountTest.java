package capnweb.protocol;

import static capnweb.protocol.RawPeer.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcSession;
import capnweb.api.SessionStats;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java side as the server: push/pull/resolve/release, the numbering of ids, refcounts,
 * exported targets and their disposal. The peer's frames and the expected answers are the
 * reference implementation's (capnweb 0.12.0) real exchanges, recorded against its RpcSession
 * with the same scripted frames.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WireRefcountTest {
    private static final SessionStats BASELINE = new SessionStats(1, 1);

    private WireTargets.Main main;
    private RawPeer.Connected conn;
    private RawPeer peer;
    private RpcSession session;

    @BeforeEach
    void start() {
        main = new WireTargets.Main();
        conn = RawPeer.connect(main);
        peer = conn.peer();
        session = conn.session();
    }

    @AfterEach
    void stop() {
        conn.close();
    }

    private void assertBaseline() {
        eventually("the session's tables are back to one import and one export (" + session.stats() + ")",
                () -> session.stats().equals(BASELINE));
    }

    @Test
    void freshSessionStartsTransportOnceSendsNothingAndHoldsOnlyTheMains() {
        peer.expectNothing();
        assertThat(peer.starts()).isEqualTo(1);
        assertThat(session.stats()).isEqualTo(BASELINE);
        assertThat(session.isOpen()).isTrue();
    }

    @Test
    void callIsAnsweredWithResolveOnlyAfterPull() {
        peer.inject("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]");
        peer.expectNothing();
        peer.inject("[\"pull\",1]");
        peer.expect("[\"resolve\",1,9]");
        peer.expectNothing();
    }

    @Test
    void pushedResultStaysExportedUntilReleasedThenStatsReturnToBaseline() {
        peer.inject("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]", "[\"pull\",1]");
        peer.expect("[\"resolve\",1,9]");
        assertThat(session.stats()).isEqualTo(new SessionStats(1, 2));
        peer.inject("[\"release\",1,1]");
        assertBaseline();
        peer.expectNothing();
    }

    @Test
    void pushesAreNumberedFromOneInArrivalOrder() {
        peer.inject(
                "[\"push\",[\"pipeline\",0,[\"square\"],[2]]]",
                "[\"push\",[\"pipeline\",0,[\"square\"],[3]]]",
                "[\"push\",[\"pipeline\",0,[\"square\"],[4]]]",
                "[\"pull\",3]");
        peer.expect("[\"resolve\",3,16]");
        peer.inject("[\"pull\",1]");
        peer.expect("[\"resolve\",1,4]");
        peer.inject("[\"pull\",2]");
        peer.expect("[\"resolve\",2,9]");
        peer.inject("[\"release\",1,1]", "[\"release\",2,1]", "[\"release\",3,1]");
        assertBaseline();
    }

    @Test
    void secondPullOfTheSameExportSendsNoSecondResolve() {
        peer.inject("[\"push\",[\"pipeline\",0,[\"square\"],[2]]]", "[\"pull\",1]", "[\"pull\",1]");
        peer.expect("[\"resolve\",1,4]");
        peer.expectNothing();
    }

    @Test
    void callsStartInArrivalOrder() {
        for (int i = 1; i <= 5; i++) {
            peer.inject("[\"push\",[\"pipeline\",0,[\"record\"],[" + i + "]]]");
        }
        peer.inject("[\"pull\",5]");
        peer.expect("[\"resolve\",5,5]");
        assertThat(main.recorded).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void slowResultIsResolvedWhenItCompletes() {
        peer.inject("[\"push\",[\"pipeline\",0,[\"slow\"],[]]]", "[\"pull\",1]");
        peer.expectNothing();
        main.slow.complete("done");
        peer.expect("[\"resolve\",1,\"done\"]");
    }

    @Test
    void returnedTargetIsExportedWithTheNextNegativeId() {
        peer.inject("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[5]]]", "[\"pull\",1]");
        peer.expect("[\"resolve\",1,[\"export\",-1]]");
        peer.inject("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[6]]]", "[\"pull\",2]");
        peer.expect("[\"resolve\",2,[\"export\",-2]]");
    }

    @Test
    void exportedTargetAnswersCallsAndPropertyReads() {
        // Reference exchange "makeCounter + call + release".
        peer.inject("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[5]]]", "[\"pull\",1]");
        peer.expect("[\"resolve\",1,[\"export\",-1]]");
        peer.inject("[\"release\",1,1]");
        peer.inject("[\"push\",[\"pipeline\",-1,[\"increment\"],[2]]]", "[\"pull\",2]");
        peer.expect("[\"resolve\",2,7]");
        peer.inject("[\"push\",[\"pipeline\",-1,[\"value\"]]]", "[\"pull\",3]");
        peer.expect("[\"resolve\",3,7]");
        peer.inject("[\"release\",2,1]", "[\"release\",3,1]");
        assertThat(main.made.get(0).closes.get()).as("closed while still exported").isZero();
        peer.inject("[\"release\",-1,1]");
        eventually("the counter is closed", () -> main.made.get(0).closes.get() == 1);
        assertBaseline();
        peer.expectNothing();
    }

    @Test
    void releasingThePushThatReturnedATargetDoesNotCloseTheExportedTarget() {
        peer.inject("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[5]]]", "[\"pull\",1]");
        peer.expect("[\"resolve\",1,[\"export\",-1]]");
        peer.inject("[\"release\",1,1]");
        peer.inject("[\"push\",[\"pipeline\",-1,[\"increment\"],[1]]]", "[\"pull\",2]");
        peer.expect("[\"resolve\",2,6]");
        assertThat(main.made.get(0).closes.get()).isZero();
        assertThat(session.stats()).isEqualTo(new SessionStats(1, 3));
    }

    @Test
    void anExportedTargetThePeerReleasedIsNoLongerHeldByTheSession() {
        peer.inject("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[5]]]", "[\"pull\",1]");
        peer.expect("[\"resolve\",1,[\"export\",-1]]");
        peer.inject("[\"release\",1,1]", "[\"release\",-1,1]");
        eventually("the counter is closed", () -> main.made.get(0).closes.get() == 1);
        assertBaseline();
        WeakReference<Object> counter = new WeakReference<>(main.made.remove(0));
        eventually("the released counter is garbage collected", () -> {
            System.gc();
            return counter.get() == null;
        });
    }

    @Test
    void pipelinedCallOnAnUnpulledResultNeedsNoRoundTripAndReleaseClosesTheTarget() {
        // Reference exchange "pipelined counter no pull": the counter is never sent to the peer,
        // so releasing the push that produced it is what disposes it.
        peer.inject(
                "[\"push\",[\"pipeline\",0,[\"makeCounter\"],[5]]]",
                "[\"push\",[\"pipeline\",1,[\"increment\"],[2]]]",
                "[\"pull\",2]");
        peer.expect("[\"resolve\",2,7]");
        peer.inject("[\"release\",2,1]");
        assertThat(main.made.get(0).closes.get()).isZero();
        peer.inject("[\"release\",1,1]");
        eventually("the counter is closed", () -> main.made.get(0).closes.get() == 1);
        assertBaseline();
        peer.expectNothing();
    }

    @Test
    void sameTargetReturnedTwiceIsClosedOnceAfterThePeerReleasedEverythingTheDocumentedWay() {
        // protocol.md: the release refcount is the number of times the id was introduced. A peer
        // that follows it releases each id it received with that count. Whether the Java side
        // reuses the id (refcount 2) or picks a new one (as the reference does, see the next
        // test), the target must end up closed exactly once and the tables back to baseline.
        peer.inject("[\"push\",[\"pipeline\",0,[\"sameCounter\"],[]]]", "[\"pull\",1]");
        int first = exportIdOf(peer.next(), 1);
        peer.inject("[\"push\",[\"pipeline\",0,[\"sameCounter\"],[]]]", "[\"pull\",2]");
        int second = exportIdOf(peer.next(), 2);
        assertThat(first).isEqualTo(-1);
        peer.inject("[\"release\",1,1]", "[\"release\",2,1]");
        if (first == second) {
            peer.inject("[\"release\"," + first + ",2]");
        } else {
            assertThat(second).isEqualTo(-2);
            peer.inject("[\"release\"," + first + ",1]");
            peer.expectNothing();
            assertThat(main.shared.closes.get()).as("closed while still exported as " + second).isZero();
            peer.inject("[\"release\"," + second + ",1]");
        }
        eventually("the shared counter is closed", () -> main.shared.closes.get() == 1);
        assertBaseline();
        peer.expectNothing();
        assertThat(main.shared.closes.get()).isEqualTo(1);
    }

    @Test
    void sameTargetReturnedTwiceIsFreedWhenThePeerReleasesLikeTheReferenceImporter() {
        // What the reference really sends (src/rpc.ts): its importer keeps remoteRefcount = 1 for
        // an import id however many times the id is introduced again, and releases it once with
        // refcount 1 when its last stub is disposed. The reference exporter never reuses an id for
        // a returned target (exchange "sameCounter twice": ["export",-1] then ["export",-2]), so
        // against a reference peer a Java exporter that reuses ids with a refcount would never see
        // the second reference released and would leak the target until the session ends.
        peer.inject("[\"push\",[\"pipeline\",0,[\"sameCounter\"],[]]]", "[\"pull\",1]");
        int first = exportIdOf(peer.next(), 1);
        peer.inject("[\"push\",[\"pipeline\",0,[\"sameCounter\"],[]]]", "[\"pull\",2]");
        int second = exportIdOf(peer.next(), 2);
        peer.inject("[\"release\",1,1]", "[\"release\",2,1]");
        peer.inject("[\"release\"," + first + ",1]");
        if (second != first) {
            peer.inject("[\"release\"," + second + ",1]");
        }
        eventually("the shared counter is closed after the reference-style releases",
                () -> main.shared.closes.get() == 1);
        assertBaseline();
    }

    private static int exportIdOf(com.google.gson.JsonElement frame, int resolveId) {
        var a = frame.getAsJsonArray();
        assertThat(a.get(0).getAsString()).as("frame %s", frame).isEqualTo("resolve");
        assertThat(a.get(1).getAsInt()).as("frame %s", frame).isEqualTo(resolveId);
        var exp = a.get(2).getAsJsonArray();
        assertThat(exp.get(0).getAsString()).as("frame %s", frame).isEqualTo("export");
        return exp.get(1).getAsInt();
    }

    @Test
    void releaseWithTheTotalRefcountOfAReusedIdFreesItAndAPartialReleaseDoesNot() {
        // Only meaningful when the Java side reuses an id for a re-exported target; with fresh
        // ids (the reference's behaviour) each id has refcount 1 and the over-release aborts.
        peer.inject("[\"push\",[\"pipeline\",0,[\"sameCounter\"],[]]]", "[\"pull\",1]");
        int first = exportIdOf(peer.next(), 1);
        peer.inject("[\"push\",[\"pipeline\",0,[\"sameCounter\"],[]]]", "[\"pull\",2]");
        int second = exportIdOf(peer.next(), 2);
        peer.inject("[\"release\",1,1]", "[\"release\",2,1]");
        if (first == second) {
            peer.inject("[\"release\"," + first + ",1]");
            peer.inject("[\"push\",[\"pipeline\"," + first + ",[\"value\"]]]", "[\"pull\",3]");
            peer.expect("[\"resolve\",3,100]");
            assertThat(main.shared.closes.get()).isZero();
            peer.inject("[\"release\",3,1]", "[\"release\"," + first + ",1]");
            eventually("the shared counter is closed", () -> main.shared.closes.get() == 1);
            assertBaseline();
        } else {
            peer.inject("[\"release\"," + first + ",2]");
            peer.expectAbort("Error", "refcount would go negative: 1 < 2");
        }
    }

    @Test
    void returnedFunctionIsExportedAndCallable() {
        // Reference exchange "fn export": a function is called with an empty path.
        peer.inject("[\"push\",[\"pipeline\",0,[\"fn\"],[]]]", "[\"pull\",1]");
        peer.expect("[\"resolve\",1,[\"export\",-1]]");
        peer.inject("[\"push\",[\"pipeline\",-1,[],[4]]]", "[\"pull\",2]");
        peer.expect("[\"resolve\",2,8]");
        peer.inject("[\"release\",1,1]", "[\"release\",2,1]", "[\"release\",-1,1]");
        assertBaseline();
    }

    @Test
    void promiseInsideAResultIsExportedAsPromiseAndResolvedWithoutAPull() {
        peer.inject("[\"push\",[\"pipeline\",0,[\"later\"],[]]]", "[\"pull\",1]");
        peer.expect("[\"resolve\",1,{\"p\":[\"promise\",-1]}]");
        peer.expectNothing();
        main.later.complete(42);
        peer.expect("[\"resolve\",-1,42]");
        peer.inject("[\"release\",-1,1]", "[\"release\",1,1]");
        assertBaseline();
    }

    @Test
    void propertyPathsReachGettersMapEntriesAndListIndexes() {
        // Reference exchange "property path".
        peer.inject("[\"push\",[\"pipeline\",0,[\"profile\",\"name\"]]]", "[\"pull\",1]");
        peer.expect("[\"resolve\",1,\"Ada\"]");
        peer.inject("[\"push\",[\"pipeline\",0,[\"profile\"]]]", "[\"push\",[\"pipeline\",2,[\"tags\",1]]]",
                "[\"pull\",3]");
        peer.expect("[\"resolve\",3,\"y\"]");
        peer.inject("[\"release\",1,1]", "[\"release\",2,1]", "[\"release\",3,1]");
        assertBaseline();
    }

    @Test
    void pushOfAPlainValueCanBePipelinedOn() {
        // Reference exchange "push plain value": a push need not contain a call.
        peer.inject("[\"push\",{\"a\":[[1,2]]}]", "[\"pull\",1]");
        peer.expect("[\"resolve\",1,{\"a\":[[1,2]]}]");
        peer.inject("[\"push\",[\"pipeline\",1,[\"a\",1]]]", "[\"pull\",2]");
        peer.expect("[\"resolve\",2,2]");
    }

    @Test
    void pipelinedPromiseAsArgumentIsResolvedBeforeTheCall() {
        // Reference exchange "promise arg pipelined".
        peer.inject(
                "[\"push\",[\"pipeline\",0,[\"makeCounter\"],[5]]]",
                "[\"push\",[\"pipeline\",0,[\"add\"],[[\"pipeline\",1,[\"value\"]],3]]]",
                "[\"pull\",2]");
        peer.expect("[\"resolve\",2,8]");
        peer.inject("[\"release\",2,1]", "[\"release\",1,1]");
        eventually("the counter is closed", () -> main.made.get(0).closes.get() == 1);
        assertBaseline();
    }

    @Test
    void peerPromiseAsArgumentDelaysTheCallUntilResolvedThenIsReleased() {
        // Reference exchange "peer promise arg": on the resolve the import is released at once.
        peer.inject("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"promise\",-1]]]]", "[\"pull\",1]");
        peer.expectNothing();
        assertThat(session.stats().imports()).isEqualTo(2);
        peer.inject("[\"resolve\",-1,42]");
        peer.expectUnordered("[\"release\",-1,1]", "[\"resolve\",1,42]");
        peer.inject("[\"release\",1,1]");
        assertBaseline();
    }

    @Test
    void rejectedPeerPromiseArgumentRejectsTheCall() {
        // Reference exchange "peer promise arg rejected".
        peer.inject("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"promise\",-1]]]]", "[\"pull\",1]");
        peer.inject("[\"reject\",-1,[\"error\",\"Error\",\"nope\"]]");
        peer.expectUnordered("[\"release\",-1,1]", "[\"reject\",1,[\"error\",\"Error\",\"nope\"]]");
        peer.inject("[\"release\",1,1]");
        assertBaseline();
    }

    @Test
    void callbackIntoAFunctionThePeerExported() {
        // Reference exchange "callFunction": the Java side pushes a call on the peer's export -1
        // (its own first import id is 1), pulls it, releases it after the resolve, releases the
        // function once the call is done, and resolves the peer's call.
        peer.inject("[\"push\",[\"pipeline\",0,[\"callFunction\"],[[\"export\",-1],3]]]", "[\"pull\",1]");
        peer.expect("[\"push\",[\"pipeline\",-1,[],[3]]]");
        peer.expect("[\"pull\",1]");
        peer.inject("[\"resolve\",1,9]");
        peer.expectUnordered("[\"release\",1,1]", "[\"release\",-1,1]", "[\"resolve\",1,{\"result\":9}]");
        peer.inject("[\"release\",1,1]");
        assertBaseline();
        peer.expectNothing();
    }

    @Test
    void callbackRejectionReachesThePeerWithTypeMessageAndProperties() {
        // Reference exchange "callFunction reject".
        peer.inject("[\"push\",[\"pipeline\",0,[\"callFunction\"],[[\"export\",-1],3]]]", "[\"pull\",1]");
        peer.expect("[\"push\",[\"pipeline\",-1,[],[3]]]");
        peer.expect("[\"pull\",1]");
        peer.inject("[\"reject\",1,[\"error\",\"RangeError\",\"bad\",null,{\"code\":7}]]");
        peer.expectUnordered("[\"release\",1,1]", "[\"release\",-1,1]",
                "[\"reject\",1,[\"error\",\"RangeError\",\"bad\",null,{\"code\":7}]]");
        peer.inject("[\"release\",1,1]");
        assertBaseline();
    }

    @Test
    void streamIsPulledAutomaticallyAndReleasedImplicitly() {
        // Reference exchange "stream": one resolve, no pull, no release needed.
        peer.inject("[\"stream\",[\"pipeline\",0,[\"square\"],[4]]]");
        peer.expect("[\"resolve\",1,16]");
        assertBaseline();
        peer.expectNothing();
    }

    @Test
    void streamTakesTheNextPushIdAndLaterPushesContinueAfterIt() {
        peer.inject("[\"push\",[\"pipeline\",0,[\"square\"],[2]]]");
        peer.inject("[\"stream\",[\"pipeline\",0,[\"square\"],[4]]]");
        peer.expect("[\"resolve\",2,16]");
        peer.inject("[\"push\",[\"pipeline\",0,[\"square\"],[5]]]", "[\"pull\",3]", "[\"pull\",1]");
        peer.expectUnordered("[\"resolve\",3,25]", "[\"resolve\",1,4]");
    }

    @Test
    void releasingAStreamResultAfterItsResolveIsAnUnknownExport() {
        // Reference exchange "stream then release": the stream's export is gone once resolved.
        peer.inject("[\"stream\",[\"pipeline\",0,[\"square\"],[4]]]");
        peer.expect("[\"resolve\",1,16]");
        peer.inject("[\"release\",1,1]");
        peer.expectAbort("Error", "no such export ID: 1");
    }

    @Test
    void streamFailureIsRejectedAndReleasedImplicitly() {
        peer.inject("[\"stream\",[\"pipeline\",0,[\"throwError\"],[]]]");
        peer.expect("[\"reject\",1,[\"error\",\"RangeError\",\"test error\"]]");
        assertBaseline();
    }

    @Test
    void releaseOfAnImportThePeerSentAsArgumentAfterTheCallCompletes() {
        // The Java callee closes the function stub it received once the call is done; the release
        // carries refcount 1. The peer never pulled its own call, so no resolve is sent for it.
        peer.inject("[\"push\",[\"pipeline\",0,[\"callFunction\"],[[\"export\",-7],2]]]");
        peer.expect("[\"push\",[\"pipeline\",-7,[],[2]]]");
        peer.expect("[\"pull\",1]");
        peer.expectNothing();
        assertThat(session.stats()).isEqualTo(new SessionStats(3, 2));
        peer.inject("[\"resolve\",1,4]");
        List<String> frames = List.of(peer.nextRaw(), peer.nextRaw());
        assertThat(frames).extracting(f -> RawPeer.canon(RawPeer.parse(f)))
                .containsExactlyInAnyOrder("[\"release\",1,1]", "[\"release\",-7,1]");
    }

    @Test
    void peerStubPushedAsAValueIsSentBackAsAnImportReference() {
        // Reference exchange "push export": the peer's own export -1 comes back as
        // ["import",-1] (an id on the peer's table), and releasing the push releases it.
        peer.inject("[\"push\",[\"export\",-1]]", "[\"pull\",1]");
        peer.expect("[\"resolve\",1,[\"import\",-1]]");
        peer.inject("[\"release\",1,1]");
        peer.expect("[\"release\",-1,1]");
        assertBaseline();
        peer.expectNothing();
    }

    @Test
    void peerPromisePushedAsAValueResolvesThePush() {
        // Reference exchange "push promise".
        peer.inject("[\"push\",[\"promise\",-1]]", "[\"pull\",1]");
        peer.expectNothing();
        peer.inject("[\"resolve\",-1,5]");
        peer.expectUnordered("[\"release\",-1,1]", "[\"resolve\",1,5]");
        peer.inject("[\"release\",1,1]");
        assertBaseline();
    }

    @Test
    void pipelinedCallOnARejectedResultRejectsWithTheSameError() {
        // Reference exchange "pipeline on rejected".
        peer.inject("[\"push\",[\"pipeline\",0,[\"throwError\"],[]]]",
                "[\"push\",[\"pipeline\",1,[\"foo\"],[]]]", "[\"pull\",2]");
        peer.expect("[\"reject\",2,[\"error\",\"RangeError\",\"test error\"]]");
    }

    @Test
    void releasingAPendingPulledPushFreesItAndTheLateResolveIsStillSent() {
        // protocol.md: after a release the exporter "is no longer obliged to send a resolve
        // message for it, though it is still permitted to do so". The reference does send it once
        // the pull it already started completes; the peer ignores a resolve for an id it
        // released. The table entry itself is gone at once.
        peer.inject("[\"push\",[\"pipeline\",0,[\"slow\"],[]]]", "[\"pull\",1]", "[\"release\",1,1]");
        assertBaseline();
        main.slow.complete("late");
        peer.expect("[\"resolve\",1,\"late\"]");
        assertBaseline();
        peer.inject("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]", "[\"pull\",2]");
        peer.expect("[\"resolve\",2,9]");
    }

    @Test
    void pipelinedCallsOnATargetBeforeItIsResolvedRunInOrder() {
        // Reference exchange "call counter before resolution".
        peer.inject("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[1]]]",
                "[\"push\",[\"pipeline\",1,[\"increment\"],[1]]]",
                "[\"push\",[\"pipeline\",1,[\"increment\"],[1]]]",
                "[\"pull\",3]", "[\"pull\",1]");
        peer.expectUnordered("[\"resolve\",3,3]", "[\"resolve\",1,[\"export\",-1]]");
        peer.inject("[\"pull\",2]");
        peer.expect("[\"resolve\",2,2]");
    }

    @Test
    void drainWaitsUntilEveryPulledResultHasBeenSent() {
        // src/rpc.ts drain(): done when no pulled export is still being resolved.
        assertThat(session.drain()).succeedsWithin(RawPeer.WAIT);
        peer.inject("[\"push\",[\"pipeline\",0,[\"slow\"],[]]]", "[\"pull\",1]");
        peer.expectNothing();
        var drained = session.drain().toCompletableFuture();
        assertThat(drained).isNotDone();
        main.slow.complete("done");
        peer.expect("[\"resolve\",1,\"done\"]");
        assertThat(drained).succeedsWithin(RawPeer.WAIT);
    }

    @Test
    void drainDoesNotWaitForUnpulledPushes() {
        peer.inject("[\"push\",[\"pipeline\",0,[\"hang\"],[]]]");
        peer.expectNothing();
        assertThat(session.drain()).succeedsWithin(RawPeer.WAIT);
    }

    @Test
    void argumentStubIsReleasedWhenTheCallReturns() {
        // The reference disposes the stubs in a call's arguments when the call returns
        // (core.ts RpcPayload.deliverCall), unless the callee dup()ed them.
        peer.inject("[\"push\",[\"pipeline\",0,[\"keepWithoutDup\"],[[\"export\",-1]]]]", "[\"pull\",1]");
        peer.expectUnordered("[\"release\",-1,1]", "[\"resolve\",1,[\"undefined\"]]");
        peer.inject("[\"release\",1,1]");
        assertBaseline();
    }

    @Test
    void dupOfAnArgumentStubStaysUsableUntilTheTargetClosesIt() {
        peer.inject("[\"push\",[\"pipeline\",0,[\"keep\"],[[\"export\",-1]]]]", "[\"pull\",1]");
        peer.expect("[\"resolve\",1,[\"undefined\"]]");
        peer.inject("[\"release\",1,1]");
        peer.expectNothing();
        peer.inject("[\"push\",[\"pipeline\",0,[\"useKept\"],[5]]]", "[\"pull\",2]");
        peer.expect("[\"push\",[\"pipeline\",-1,[],[5]]]");
        peer.expect("[\"pull\",1]");
        peer.inject("[\"resolve\",1,50]");
        peer.expectUnordered("[\"release\",1,1]", "[\"resolve\",2,50]");
        peer.inject("[\"release\",2,1]");
        peer.inject("[\"push\",[\"pipeline\",0,[\"dropKept\"],[]]]", "[\"pull\",3]");
        peer.expectUnordered("[\"release\",-1,1]", "[\"resolve\",3,[\"undefined\"]]");
        peer.inject("[\"release\",3,1]");
        assertBaseline();
    }

    @Test
    void peerReleasingTheMainClosesItAndLaterCallsOnItAbort() {
        // Reference: ["release",0,1] drops export 0 and disposes the main object; a later push on
        // 0 aborts with "no such entry on exports table: 0".
        WireTargets.ClosableMain closable = new WireTargets.ClosableMain();
        try (RawPeer.Connected other = RawPeer.connect(closable)) {
            other.peer().inject("[\"push\",[\"pipeline\",0,[\"square\"],[2]]]", "[\"pull\",1]");
            other.peer().expect("[\"resolve\",1,4]");
            other.peer().inject("[\"release\",0,1]");
            eventually("the main object is closed", () -> closable.closes.get() == 1);
            other.peer().inject("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]");
            other.peer().expectAbort("Error", "no such entry on exports table: 0");
            assertThat(closable.closes.get()).isEqualTo(1);
        }
    }

    @Test
    void theMainObjectReturnedByItsOwnMethodIsClosedOnlyWhenItsLastExportIsReleased() {
        // One object, one count of references: the main export and the export of the same object
        // returned by a call share it, so releasing the returned one leaves the main object open.
        WireTargets.ClosableMain closable = new WireTargets.ClosableMain();
        try (RawPeer.Connected other = RawPeer.connect(closable)) {
            other.peer().inject("[\"push\",[\"pipeline\",0,[\"self\"],[]]]", "[\"pull\",1]");
            other.peer().expect("[\"resolve\",1,[\"export\",-1]]");
            other.peer().inject("[\"release\",1,1]", "[\"release\",-1,1]");
            other.peer().inject("[\"push\",[\"pipeline\",0,[\"square\"],[2]]]", "[\"pull\",2]");
            other.peer().expect("[\"resolve\",2,4]");
            assertThat(closable.closes.get()).as("closed while still the main object").isZero();
            other.peer().inject("[\"release\",2,1]", "[\"release\",0,1]");
            eventually("the main object is closed", () -> closable.closes.get() == 1);
            assertThat(other.session().stats()).isEqualTo(new SessionStats(1, 0));
        }
        assertThat(closable.closes.get()).isEqualTo(1);
    }

    @Test
    void mainPushedAsAValueIsSentAsANewExport() {
        // Reference exchanges "push import 0" and "push pipeline 0 []": the main object itself
        // as a result travels as a fresh export id.
        peer.inject("[\"push\",[\"import\",0]]", "[\"pull\",1]");
        peer.expect("[\"resolve\",1,[\"export\",-1]]");
        peer.inject("[\"push\",[\"pipeline\",0,[]]]", "[\"pull\",2]");
        peer.expect("[\"resolve\",2,[\"export\",-2]]");
        peer.inject("[\"push\",[\"pipeline\",-2,[\"square\"],[6]]]", "[\"pull\",3]");
        peer.expect("[\"resolve\",3,36]");
    }
}
