package capnweb.transport.jetty;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportHardeningTest;
import java.time.Duration;

/** The shared fault and hostile-peer suite, run over Jetty with the real engine. */
class JettyTransportHardeningTest extends TransportHardeningTest {

    @Override
    protected TransportProvider provider() {
        return new JettyTransportProvider();
    }

    @Override
    protected Duration abortGrace() {
        return WebSocketTransport.ABORT_GRACE;
    }
}
