package io.berth.observe;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids: a client's (or a proxy's) {@code X-Request-Id} is kept when it is short printable
 * ASCII, so one id follows a request through every hop; anything else is replaced by a fresh one.
 */
public final class RequestIds {

    /** The header a request id travels in, both ways. */
    public static final String HEADER = "X-Request-Id";

    /** Long enough for a UUID or a W3C trace id with decorations, short enough to keep log lines sane. */
    static final int MAX_LENGTH = 128;

    private static final HexFormat HEX = HexFormat.of();

    private RequestIds() {}

    /** The id a request goes by: {@code offered} when acceptable, else a new one. */
    public static String accept(String offered) {
        return isAcceptable(offered) ? offered : generate();
    }

    /**
     * 16 hex digits from the thread's own random source: ids need to be distinct enough to find a
     * request in the logs, not unguessable, so no SecureRandom (and its lock) per request.
     */
    public static String generate() {
        return HEX.toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    /** Printable ASCII without spaces, 1 to {@link #MAX_LENGTH} characters; one pass, no regex. */
    static boolean isAcceptable(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < '!' || c > '~') {
                return false;
            }
        }
        return true;
    }
}
