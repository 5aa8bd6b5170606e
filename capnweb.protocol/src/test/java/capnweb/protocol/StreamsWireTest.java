package capnweb.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stream and Fetch messages and expressions exactly as the reference puts them on the wire. */
@Timeout(30)
class StreamsWireTest {

    @Test
    void pipeCreatedByThePeerIsReadThroughItsReadableExpression() {
        try (RawPeer.Connected conn = RawPeer.connect(new StreamTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"pipe\"]",
                    "[\"stream\",[\"pipeline\",1,[\"write\"],[[\"bytes\",\"AQID\"]]]]",
                    "[\"stream\",[\"pipeline\",1,[\"close\"],[]]]",
                    "[\"push\",[\"pipeline\",0,[\"countBytes\"],[[\"readable\",1]]]]",
                    "[\"pull\",4]");
            peer.expectUnordered("[\"resolve\",2,[\"undefined\"]]", "[\"resolve\",3,[\"undefined\"]]",
                    "[\"resolve\",4,3]");
            peer.inject("[\"release\",1,1]", "[\"release\",4,1]");
            peer.expectNothing();
        }
    }

    @Test
    void readableEndOfAPipeCanBeTakenOnlyOnce() {
        try (RawPeer.Connected conn = RawPeer.connect(new StreamTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"pipe\"]", "[\"push\",[\"pipeline\",0,[\"echo\"],[[[[\"readable\",1],[\"readable\",1]]]]]]");
            peer.expect("[\"abort\",[\"error\",\"Error\",\"Export 1 is not a pipe or its readable end was already "
                    + "consumed.\"]]");
        }
    }

    @Test
    void returnedReadableGoesThroughAPipeWithStreamWrites() {
        try (RawPeer.Connected conn = RawPeer.connect(new StreamTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"push\",[\"pipeline\",0,[\"streamNumbers\"],[2]]]", "[\"pull\",1]");
            peer.expect("[\"pipe\"]");
            peer.expectUnordered("[\"resolve\",1,[\"readable\",1]]",
                    "[\"stream\",[\"pipeline\",1,[\"write\"],[0]]]",
                    "[\"stream\",[\"pipeline\",1,[\"write\"],[1]]]",
                    "[\"stream\",[\"pipeline\",1,[\"close\"],[]]]");
            peer.inject("[\"resolve\",2,[\"undefined\"]]", "[\"resolve\",3,[\"undefined\"]]",
                    "[\"resolve\",4,[\"undefined\"]]");
            // Closed and acknowledged: the pipe is released; stream results need no release.
            peer.expect("[\"release\",1,1]");
            peer.inject("[\"release\",1,1]");
            peer.expectNothing();
        }
    }

    @Test
    void targetWritesToThePeersWritableWithStreamMessages() {
        try (RawPeer.Connected conn = RawPeer.connect(new StreamTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"push\",[\"pipeline\",0,[\"writeTo\"],[[\"writable\",-1],2]]]", "[\"pull\",1]");
            peer.expect("[\"stream\",[\"pipeline\",-1,[\"write\"],[0]]]");
            peer.expect("[\"stream\",[\"pipeline\",-1,[\"write\"],[1]]]");
            peer.expect("[\"stream\",[\"pipeline\",-1,[\"close\"],[]]]");
            peer.expectNothing();
            peer.inject("[\"resolve\",1,[\"undefined\"]]", "[\"resolve\",2,[\"undefined\"]]",
                    "[\"resolve\",3,[\"undefined\"]]");
            peer.expectUnordered("[\"resolve\",1,[\"undefined\"]]", "[\"release\",-1,1]");
        }
    }

    @Test
    void failedWriteRejectsTheCallThatWrote() {
        try (RawPeer.Connected conn = RawPeer.connect(new StreamTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"push\",[\"pipeline\",0,[\"writeTo\"],[[\"writable\",-1],1]]]", "[\"pull\",1]");
            peer.expect("[\"stream\",[\"pipeline\",-1,[\"write\"],[0]]]");
            peer.expect("[\"stream\",[\"pipeline\",-1,[\"close\"],[]]]");
            peer.inject("[\"reject\",1,[\"error\",\"TypeError\",\"disk full\"]]",
                    "[\"reject\",2,[\"error\",\"TypeError\",\"stream errored\"]]");
            peer.expectUnordered("[\"reject\",1,[\"error\",\"TypeError\",\"disk full\"]]", "[\"release\",-1,1]");
        }
    }

    @Test
    void blobArrivesThroughAPipeAndIsSentBackTheSameWay() {
        try (RawPeer.Connected conn = RawPeer.connect(new StreamTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"pipe\"]",
                    "[\"stream\",[\"pipeline\",1,[\"write\"],[[\"bytes\",\"aGk\"]]]]",
                    "[\"stream\",[\"pipeline\",1,[\"close\"],[]]]",
                    "[\"push\",[\"pipeline\",0,[\"echoBlob\"],[[\"blob\",\"text/plain\",[\"readable\",1]]]]]",
                    "[\"pull\",4]");
            peer.expectUnordered("[\"resolve\",2,[\"undefined\"]]", "[\"resolve\",3,[\"undefined\"]]",
                    "[\"pipe\"]", "[\"resolve\",4,[\"blob\",\"text/plain\",[\"readable\",1]]]",
                    "[\"stream\",[\"pipeline\",1,[\"write\"],[[\"bytes\",\"aGk\"]]]]",
                    "[\"stream\",[\"pipeline\",1,[\"close\"],[]]]");
        }
    }

    @Test
    void headersRequestAndResponseAreEchoedAsTheReferenceEncodesThem() {
        try (RawPeer.Connected conn = RawPeer.connect(new StreamTargets.Main())) {
            RawPeer peer = conn.peer();
            String request = "[\"request\",\"https://example.com/a\",{\"method\":\"PUT\","
                    + "\"headers\":[[\"content-type\",\"text/plain\"]],\"redirect\":\"manual\"}]";
            peer.inject("[\"push\",[\"pipeline\",0,[\"echo\"],[" + request + "]]]", "[\"pull\",1]");
            peer.expect("[\"resolve\",1," + request + "]");
            String response = "[\"response\",\"body\",{\"status\":404,\"statusText\":\"Nope\","
                    + "\"headers\":[[\"x-a\",\"1\"],[\"x-a\",\"2\"]]}]";
            peer.inject("[\"push\",[\"pipeline\",0,[\"echo\"],[" + response + "]]]", "[\"pull\",2]");
            peer.expect("[\"resolve\",2," + response + "]");
            peer.inject("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"response\",null,{}]]]]", "[\"pull\",3]");
            peer.expect("[\"resolve\",3,[\"response\",null,{}]]");
        }
    }

    @Test
    void responseWithAWebSocketIsRefused() {
        try (RawPeer.Connected conn = RawPeer.connect(new StreamTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"response\",null,{\"webSocket\":1}]]]]");
            peer.expect("[\"abort\",[\"error\",\"TypeError\",\"Can't deserialize a Response containing a webSocket.\"]]");
        }
    }

    @Test
    void blobWhoseContentIsNotAStreamAborts() {
        try (RawPeer.Connected conn = RawPeer.connect(new StreamTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"push\",[\"pipeline\",0,[\"echoBlob\"],[[\"blob\",\"text/plain\",\"aGk\"]]]]");
            peer.expect("[\"abort\",[\"error\",\"TypeError\",\"Blob content must be serialized as a ReadableStream.\"]]");
        }
    }

    @Test
    void writeAfterCloseIsRejectedAndTheSessionCarriesOn() {
        try (RawPeer.Connected conn = RawPeer.connect(new StreamTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"pipe\"]", "[\"stream\",[\"pipeline\",1,[\"close\"],[]]]",
                    "[\"stream\",[\"pipeline\",1,[\"write\"],[1]]]");
            peer.expectUnordered("[\"resolve\",2,[\"undefined\"]]",
                    "[\"reject\",3,[\"error\",\"TypeError\",\"Cannot write to a closed WritableStream.\"]]");
            peer.inject("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]", "[\"pull\",4]");
            peer.expect("[\"resolve\",4,9]");
        }
    }

    @Test
    void pipeReleasedBeforeItsReadableEndWasTakenFailsItsPendingWrites() {
        try (RawPeer.Connected conn = RawPeer.connect(new StreamTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"pipe\"]", "[\"stream\",[\"pipeline\",1,[\"write\"],[5]]]",
                    "[\"stream\",[\"pipeline\",1,[\"close\"],[]]]");
            peer.expectNothing();
            peer.inject("[\"release\",1,1]");
            String why = "[\"error\",\"Error\",\"The pipe was released before its readable end was read, so what "
                    + "was written to it will never be read.\"]";
            peer.expectUnordered("[\"reject\",2," + why + "]", "[\"reject\",3," + why + "]");
            peer.inject("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]", "[\"pull\",4]");
            peer.expect("[\"resolve\",4,9]");
        }
    }

    @Test
    void pipeReleasedWithoutCloseFailsItsReader() {
        try (RawPeer.Connected conn = RawPeer.connect(new StreamTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"pipe\"]", "[\"push\",[\"pipeline\",0,[\"sumStream\"],[[\"readable\",1]]]]",
                    "[\"pull\",2]", "[\"stream\",[\"pipeline\",1,[\"write\"],[5]]]");
            peer.expect("[\"resolve\",3,[\"undefined\"]]");
            peer.inject("[\"release\",1,1]");
            peer.expect("[\"reject\",2,[\"error\",\"Error\",\"WritableStream RPC stub was disposed without calling "
                    + "close()\"]]");
        }
    }
}
