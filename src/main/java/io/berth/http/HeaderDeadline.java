package io.berth.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * {@code http.limits.headertimeout}: an HTTP/1.1 connection whose request line and headers are still
 * arriving that long after they began is closed. Jetty's idle timeout alone would let a client
 * trickle a header a byte at a time forever. {@link #sweep} runs a few times per timeout.
 */
final class HeaderDeadline implements Connection.Listener {

    /** Since when a connection has been in the middle of the same request's headers. */
    private record Mark(long messagesIn, long sinceNanos) {}

    private static final Mark IDLE = new Mark(-1, 0);

    private final long timeoutNanos;
    private final Map<HttpConnection, Mark> connections = new ConcurrentHashMap<>();

    HeaderDeadline(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    /** How often to {@link #sweep}: a fifth of the timeout, between 50 ms and 1 s. */
    Duration period() {
        return Duration.ofNanos(Math.clamp(timeoutNanos / 5, Duration.ofMillis(50).toNanos(), Duration.ofSeconds(1).toNanos()));
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            connections.put(http, IDLE);
        }
    }

    @Override
    public void onClosed(Connection connection) {
        connections.remove(connection);
    }

    /** Closes the connections past their deadline. Reads parser state racily: at worst a sweep late. */
    void sweep() {
        long now = System.nanoTime();
        connections.replaceAll((http, mark) -> {
            HttpParser parser = http.getParser();
            if (parser.isStart() || !parser.inHeaderState()) {
                return IDLE;
            }
            long messages = http.getMessagesIn();
            if (mark == IDLE || mark.messagesIn() != messages) {
                return new Mark(messages, now);
            }
            if (now - mark.sinceNanos() > timeoutNanos) {
                http.getEndPoint().close();
            }
            return mark;
        });
    }
}
