package capnweb.protocol;

import capnweb.api.RpcWritableStream;
import java.util.concurrent.Flow;

/**
 * A writable stream as a {@link Flow.Subscriber}: it pumps a publisher into the stream, asking
 * for the next chunk once the last write completed (so as fast as the stream's window allows),
 * closing the stream when the publisher completes and aborting it when the publisher fails.
 */
abstract class WritablePump implements RpcWritableStream {
    private volatile Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (subscription != null) {
            s.cancel();
            return;
        }
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(Object item) {
        write(item).whenComplete((v, err) -> {
            if (err == null) {
                subscription.request(1);
            } else {
                subscription.cancel();
            }
        });
    }

    @Override
    public void onError(Throwable throwable) {
        abort(throwable);
    }

    @Override
    public void onComplete() {
        close();
    }
}
