package capnweb.api.spi;

/**
 * Where a {@link MessageTransport} delivers what arrives. Implemented by the engine; its methods
 * return quickly and never block, so transports may call them from I/O threads, unless the
 * transport says its delivering threads may block ({@link MessageTransport#deliveryThreadsMayBlock}):
 * then {@link #onMessage} may handle the message before it returns.
 */
public interface MessageReceiver {

    /**
     * One message arrived (one WebSocket text frame, one line of a batch). Messages must be
     * delivered one at a time, in the order they arrived.
     *
     * @param message the message text
     */
    void onMessage(String message);

    /**
     * The transport will deliver nothing more, because the peer closed it or it was lost. Called
     * at most once; {@code cause} says what happened (e.g. "the WebSocket closed with code 1006").
     *
     * @param cause why the transport ended
     */
    void onClosed(Throwable cause);
}
