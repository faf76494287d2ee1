package io.berth.gc;

import io.berth.registry.Digest;
import java.io.IOException;
import java.time.Instant;
import java.util.Set;

/**
 * What keeps an online collection from deleting what a push in flight, or a re-push of an old blob,
 * uses. Offline: {@link #NONE}.
 */
public interface Fence {

    /** No pushes to fence off: the registry is stopped or read-only. */
    Fence NONE = new Fence() {
        @Override
        public Set<Digest> touchedSince(Instant since) {
            return Set.of();
        }

        @Override
        public Set<Digest> begin(Set<Digest> candidates) {
            return Set.of();
        }

        @Override
        public void end() {}
    };

    /** Blobs pushed or mounted again since {@code since} (their data may be older): kept like young blobs. */
    Set<Digest> touchedSince(Instant since) throws IOException;

    /** Announces that these blobs are about to be deleted (after marking); returns those that pushes in flight claim: they are kept. */
    Set<Digest> begin(Set<Digest> candidates) throws IOException;

    /** The sweep is over, also after a failure. */
    void end() throws IOException;
}
