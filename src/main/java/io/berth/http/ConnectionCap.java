package io.berth.http;

import io.berth.observe.RequestIds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.util.Callback;

/**
 * The first factory of the connector: counts open connections and, beyond {@code http.limits.connections},
 * answers a new one with a canned {@code 503} (JSON envelope, {@code Retry-After}) before any parsing
 * and closes it; a TLS connection is closed at once. Others go on to the next protocol.
 */
final class ConnectionCap extends AbstractConnectionFactory {

    /** A refused connection waits this long at most for the client to close its side. */
    private static final long LINGER_MILLIS = 1000;

    private final int max;
    private final String next;
    private final boolean plain;
    private final AtomicInteger open = new AtomicInteger();
    private final Connection.Listener closed = new Connection.Listener() {
        @Override
        public void onClosed(Connection connection) {
            open.decrementAndGet();
        }
    };

    /** A cap of {@code max} in front of the factory for protocol {@code next}; {@code plain} when it is not TLS. */
    ConnectionCap(int max, String next, boolean plain) {
        super("berth-connection-cap");
        this.max = max;
        this.next = next;
        this.plain = plain;
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            return new Refusal(endPoint, connector.getExecutor(), plain ? refusal() : null);
        }
        Connection connection = connector.getConnectionFactory(next).newConnection(connector, endPoint);
        connection.addEventListener(closed);
        return connection;
    }

    private ByteBuffer refusal() {
        byte[] body = new ApiError(ErrorCode.UNAVAILABLE, "the registry has " + max
                + " connections open, the most it serves at once; retry shortly").envelope();
        String head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
                + "Connection: close\r\n" + RequestIds.HEADER + ": " + RequestIds.generate() + "\r\nContent-Length: "
                + body.length + "\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(headBytes.length + body.length).put(headBytes).put(body).flip();
    }

    /**
     * Writes the answer, half-closes, and reads whatever the client sent until it closes: closing with
     * unread bytes would reset the connection and could destroy the answer before the client reads it.
     */
    private static final class Refusal extends AbstractConnection {
        private final ByteBuffer answer;

        Refusal(EndPoint endPoint, Executor executor, ByteBuffer answer) {
            super(endPoint, executor);
            this.answer = answer;
        }

        @Override
        public void onOpen() {
            super.onOpen();
            if (answer == null) {
                getEndPoint().close();
                return;
            }
            getEndPoint().setIdleTimeout(LINGER_MILLIS);
            getEndPoint().write(Callback.from(() -> {
                getEndPoint().shutdownOutput();
                fillInterested();
            }, failure -> getEndPoint().close()), answer);
        }

        @Override
        public void onFillable() {
            ByteBuffer sink = ByteBuffer.allocate(512);
            try {
                for (int n; (n = getEndPoint().fill(sink.clear().flip())) != 0; ) {
                    if (n < 0) {
                        getEndPoint().close();
                        return;
                    }
                }
                fillInterested();
            } catch (IOException e) {
                getEndPoint().close();
            }
        }
    }
}
