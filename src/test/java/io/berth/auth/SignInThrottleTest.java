package io.berth.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The throttle's figures, on a clock the tests move: delays, locks, their ends, and what is never affected. */
class SignInThrottleTest {

    private static final String ADDRESS = "192.0.2.7";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final SignInThrottle throttle = new SignInThrottle(clock);

    @Test
    void threeFailuresAreFreeThenTheWaitDoublesFrom250MsToFourSecondsAndTheTenthLocksForAMinute() {
        List<Duration> delays = new ArrayList<>();
        for (int i = 1; i <= 9; i++) {
            assertThat(throttle.lockedFor("alice", ADDRESS)).isNull();
            delays.add(throttle.failed("alice", ADDRESS));
        }
        assertThat(delays).containsExactly(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ofMillis(250),
                Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(4));
        assertThat(throttle.lockedFor("alice", ADDRESS)).isNull();

        assertThat(throttle.failed("alice", ADDRESS)).isEqualTo(Duration.ofSeconds(4));
        assertThat(throttle.lockedFor("alice", ADDRESS)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aLockRunsOutWithTheClockAndEachFailureAfterItLocksForTwiceAsLongUpToFifteenMinutes() {
        lock("alice", ADDRESS);
        clock.advance(Duration.ofSeconds(45));
        assertThat(throttle.lockedFor("alice", ADDRESS)).isEqualTo(Duration.ofSeconds(15));
        clock.advance(Duration.ofSeconds(15));
        assertThat(throttle.lockedFor("alice", ADDRESS)).isNull();

        List<Duration> locks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            throttle.failed("alice", ADDRESS);
            Duration lock = throttle.lockedFor("alice", ADDRESS);
            locks.add(lock);
            clock.advance(lock);
            assertThat(throttle.lockedFor("alice", ADDRESS)).isNull();
        }
        assertThat(locks).containsExactly(Duration.ofMinutes(2), Duration.ofMinutes(4), Duration.ofMinutes(8),
                Duration.ofMinutes(15), Duration.ofMinutes(15));
    }

    @Test
    void failuresThatRaceTheLockNeitherStackNorExtendIt() {
        lock("alice", ADDRESS);
        clock.advance(Duration.ofSeconds(10));
        assertThat(throttle.failed("alice", ADDRESS)).isEqualTo(Duration.ofSeconds(4));
        assertThat(throttle.lockedFor("alice", ADDRESS)).isEqualTo(Duration.ofSeconds(50));
    }

    @Test
    void otherUsersAndOtherAddressesAreNeverAffected() {
        lock("alice", ADDRESS);
        assertThat(throttle.lockedFor("alice", "192.0.2.8")).isNull();
        assertThat(throttle.lockedFor("bob", ADDRESS)).isNull();
        assertThat(throttle.failed("bob", ADDRESS)).isZero();
        assertThat(throttle.failed("alice", "2001:db8::1")).isZero();
        // Pairs whose parts run together are still two pairs.
        assertThat(throttle.lockedFor("alice1", "92.0.2.7")).isNull();
        assertThat(throttle.lockedFor("alice", ADDRESS)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aSuccessForgetsThePairsFailuresAndLocks() {
        for (int i = 0; i < 9; i++) {
            throttle.failed("alice", ADDRESS);
        }
        throttle.succeeded("alice", ADDRESS);
        assertThat(throttle.failed("alice", ADDRESS)).isZero();

        lock("bob", ADDRESS);
        throttle.succeeded("bob", ADDRESS);
        assertThat(throttle.lockedFor("bob", ADDRESS)).isNull();
        assertThat(throttle.failed("bob", ADDRESS)).isZero();
    }

    @Test
    void aPairQuietForFifteenMinutesAfterItsLastFailureOrLockStartsAgainFromNothing() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("alice", ADDRESS);
        }
        clock.advance(Duration.ofMinutes(14));
        assertThat(throttle.failed("alice", ADDRESS)).isEqualTo(Duration.ofMillis(250)); // still counted
        clock.advance(Duration.ofMinutes(15));
        assertThat(throttle.failed("alice", ADDRESS)).isZero();

        lock("bob", ADDRESS);
        clock.advance(Duration.ofMinutes(1).plus(Duration.ofMinutes(15)));
        assertThat(throttle.failed("bob", ADDRESS)).isZero();
        assertThat(throttle.lockedFor("bob", ADDRESS)).isNull();
    }

    @Test
    void missingUserOrAddressCountLikeEmptyOnesInsteadOfFailing() {
        lock(null, null);
        assertThat(throttle.lockedFor("", "")).isEqualTo(Duration.ofMinutes(1));
        throttle.succeeded(null, null);
        assertThat(throttle.lockedFor(null, null)).isNull();
    }

    @Test
    void pairsBeyondTheBoundAreEvictedWithoutError() {
        SignInThrottle small = new SignInThrottle(clock, 1_000);
        for (int i = 0; i < 5_000; i++) {
            assertThat(small.failed("user" + i, ADDRESS)).isZero();
        }
        assertThat(small.trackedPairs()).isBetween(1L, 1_000L);
        assertThat(small.failed("another", ADDRESS)).isZero();
        assertThat(small.lockedFor("user4999", ADDRESS)).isNull();
    }

    private void lock(String user, String address) {
        for (int i = 0; i < SignInThrottle.LOCK_AFTER; i++) {
            throttle.failed(user, address);
        }
        assertThat(throttle.lockedFor(user, address)).isEqualTo(Duration.ofMinutes(1));
    }
}
