package io.berth.observe;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

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

    /** Where the ids of this process start: random, so that replicas do not repeat each other's. */
    private static final AtomicLong SEQUENCE = new AtomicLong(new SecureRandom().nextLong());

    /** The golden-ratio step SplittableRandom uses: the sequence visits every long before it repeats. */
    private static final long GAMMA = 0x9e3779b97f4a7c15L;

    /**
     * 16 hex digits: the next value of a process-wide sequence, scrambled by a bijective mix, so no
     * two ids of a process are equal. Ids need to be distinct, not unguessable: no SecureRandom per
     * request, and no ThreadLocalRandom, whose seeding is paid again on every new (virtual) thread.
     */
    public static String generate() {
        return HEX.toHexDigits(mix(SEQUENCE.getAndAdd(GAMMA)));
    }

    /** Stafford's mix13 finalizer, as SplittableRandom applies it. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
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
