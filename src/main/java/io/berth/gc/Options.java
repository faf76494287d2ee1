package io.berth.gc;

import java.time.Duration;

/** How a collection runs. delay: blobs whose data (or last re-push, see Fence.touchedSince) is younger are kept; ZERO offline. */
public record Options(boolean dryRun, boolean deleteUntagged, Duration delay) {}
