package io.berth.gc;

import java.time.Duration;

/**
 * How a collection runs. {@code delay}: blobs whose data (or last re-push, see
 * {@link Fence#touchedSince}) is younger are kept; {@link Duration#ZERO} offline.
 */
public record Options(boolean dryRun, boolean deleteUntagged, Duration delay) {

    public Options {
        if (delay == null || delay.isNegative()) {
            throw new IllegalArgumentException("the delay must be zero or more, not " + delay);
        }
    }
}
