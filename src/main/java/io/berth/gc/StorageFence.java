package io.berth.gc;

import io.berth.registry.Digest;
import io.berth.storage.GcClaims;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * The online fence over the claims and markers that pushes write in storage ({@link GcClaims},
 * where the protocol is described). One collection at a time uses it: {@link #open} before the
 * mark, then the engine's {@link #touchedSince}, {@link #begin} and {@link #end}, then {@link #close}.
 */
public final class StorageFence implements Fence {

    private final GcClaims claims;
    private final Clock clock;
    private final Duration delay;
    private Instant opened;
    /** The candidates of the sweep under way, null outside one; guarded by this. */
    private Set<Digest> sweeping;

    /** A fence whose touched markers count for {@code delay}. */
    public StorageFence(GcClaims claims, Clock clock, Duration delay) {
        this.claims = claims;
        this.clock = clock;
        this.delay = delay;
    }

    /** Announces the collection before it marks: pushes that publish from now on leave their claims for it. */
    public synchronized void open(String owner) throws IOException {
        claims.endSweep(); // the lease is this collection's, so a sweep marker left now is a crashed collector's
        opened = claims.startCollecting(owner);
    }

    @Override
    public Set<Digest> touchedSince(Instant since) throws IOException {
        return claims.touchedSince(since);
    }

    @Override
    public synchronized Set<Digest> begin(Set<Digest> candidates) throws IOException {
        sweeping = Set.copyOf(candidates);
        return claims.announceSweep(sweeping, Objects.requireNonNull(opened, "open the fence before the sweep"));
    }

    @Override
    public synchronized void end() throws IOException {
        sweeping = null;
        claims.endSweep();
    }

    /** Keeps the sweep marker of a live collection fresh, so that pushes do not take it for a crashed one's. */
    public synchronized void refresh() throws IOException {
        if (sweeping != null) {
            claims.refreshSweep(sweeping);
        }
    }

    /**
     * Ends the collection, also after a failure: removes the markers, the claims no collection
     * needs any more and the touched markers older than the delay.
     */
    public synchronized void close() throws IOException {
        if (opened == null) {
            return;
        }
        try {
            end();
            claims.endCollecting();
            claims.removeStaleClaims(opened);
            claims.removeTouchedBefore(clock.instant().minus(delay));
        } finally {
            opened = null;
        }
    }
}
