package io.berth.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.berth.registry.Digest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Slows and then stops repeated failed sign-ins of one user from one address; memory bounded.
 *
 * <p>Failures are counted per (user, address) pair, so other users and other addresses are never
 * affected. The first {@value #FREE_FAILURES} failures are answered at once; the 4th to the 9th wait
 * 250 ms, 0.5 s, 1 s, 2 s, 4 s, 4 s (doubling, capped at 4 s) before the answer; the
 * {@value #LOCK_AFTER}th locks the pair for 1 minute, and each failure after a lock has ended locks it
 * again for twice as long (2, 4, 8 minutes, then 15 at most). A pair with no failure for 15 minutes
 * (counted from the end of its lock) is forgotten, as is one that signs in successfully. At most
 * 100 000 pairs are tracked (beyond that Caffeine evicts the least used ones); a pair is kept as a
 * 128-bit hash of user and address, so long names cost no memory. Time comes from the clock.
 */
public final class SignInThrottle {

    static final int FREE_FAILURES = 3;
    static final int LOCK_AFTER = 10;
    static final Duration WINDOW = Duration.ofMinutes(15);
    static final Duration FIRST_DELAY = Duration.ofMillis(250);
    static final Duration MAX_DELAY = Duration.ofSeconds(4);
    static final Duration FIRST_LOCK = Duration.ofMinutes(1);
    static final Duration MAX_LOCK = Duration.ofMinutes(15);
    static final int MAXIMUM_PAIRS = 100_000;

    /** Cloned per use: MessageDigest.getInstance costs more than hashing a user and an address. */
    private static final MessageDigest SHA256 = Digest.Algorithm.SHA256.newHasher();

    private final Clock clock;
    private final Cache<Pair, Failures> pairs;

    /** One user at one address, by a hash of both. */
    private record Pair(long high, long low) {}

    /**
     * The failures of one pair: how many in a row (at most {@link #LOCK_AFTER}), how many locks so far,
     * when the current or last lock ends and when the last failure came, in epoch milliseconds.
     */
    private record Failures(int count, int locks, long lockedUntil, long last) {
        static final Failures NONE = new Failures(0, 0, 0, 0);

        /** The end of the pair's quiet window: after it, the pair starts again from nothing. */
        long forgottenAt() {
            return Math.max(last, lockedUntil) + WINDOW.toMillis();
        }
    }

    public SignInThrottle(Clock clock) {
        this(clock, MAXIMUM_PAIRS);
    }

    SignInThrottle(Clock clock, int maximumPairs) {
        this.clock = Objects.requireNonNull(clock);
        this.pairs = Caffeine.newBuilder()
                .maximumSize(maximumPairs)
                .expireAfter(Expiry.writing((Pair pair, Failures f) -> Duration.ofMillis(f.forgottenAt() - f.last())))
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .executor(Runnable::run)
                .build();
    }

    /** Before checking a credential: null when the attempt may go on, else how long the caller must wait (answer 429 with Retry-After). */
    public Duration lockedFor(String user, String address) {
        Failures failures = pairs.getIfPresent(pair(user, address));
        long now = clock.millis();
        return failures != null && failures.lockedUntil() > now ? Duration.ofMillis(failures.lockedUntil() - now) : null;
    }

    /** After a failed check: how long to wait before answering (zero for the first few failures). */
    public Duration failed(String user, String address) {
        long now = clock.millis();
        Failures failures = pairs.asMap().compute(pair(user, address),
                (pair, before) -> next(before == null || before.forgottenAt() <= now ? Failures.NONE : before, now));
        return delay(failures.count());
    }

    /** After a successful check: forgets the failures of that user from that address. */
    public void succeeded(String user, String address) {
        pairs.invalidate(pair(user, address));
    }

    /** How many pairs are tracked now, after evictions due have run. */
    long trackedPairs() {
        pairs.cleanUp();
        return pairs.estimatedSize();
    }

    private static Failures next(Failures before, long now) {
        if (before.lockedUntil() > now) {
            // Attempts that passed lockedFor just before the lock began: they neither stack nor extend it.
            return new Failures(before.count(), before.locks(), before.lockedUntil(), now);
        }
        int count = before.count() + 1;
        if (count < LOCK_AFTER) {
            return new Failures(count, before.locks(), before.lockedUntil(), now);
        }
        int locks = before.locks() + 1;
        return new Failures(LOCK_AFTER, locks, now + lockLength(locks).toMillis(), now);
    }

    /** The length of the {@code locks}th lock: 1 minute, doubling, capped. */
    static Duration lockLength(int locks) {
        return locks > 5 ? MAX_LOCK : min(FIRST_LOCK.multipliedBy(1L << (locks - 1)), MAX_LOCK);
    }

    /** The wait before answering the {@code count}th failure in a row. */
    static Duration delay(int count) {
        if (count <= FREE_FAILURES) {
            return Duration.ZERO;
        }
        int doublings = count - FREE_FAILURES - 1;
        return doublings > 5 ? MAX_DELAY : min(FIRST_DELAY.multipliedBy(1L << doublings), MAX_DELAY);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Pair pair(String user, String address) {
        try {
            MessageDigest sha = (MessageDigest) SHA256.clone();
            for (String part : new String[] {Objects.toString(user, ""), Objects.toString(address, "")}) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(0, bytes.length)); // length first: no two splits collide
                sha.update(bytes);
            }
            ByteBuffer digest = ByteBuffer.wrap(sha.digest());
            return new Pair(digest.getLong(), digest.getLong());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 cannot be cloned", e);
        }
    }
}
