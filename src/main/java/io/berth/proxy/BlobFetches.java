package io.berth.proxy;

import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.RepositoryName;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The blob fetches under way, one per repository and digest, so that concurrent first pulls share one download. */
final class BlobFetches {

    private final ConcurrentMap<Key, BlobFetch> inFlight = new ConcurrentHashMap<>();
    private final Path spoolDirectory;
    private final Duration patience;

    BlobFetches(Path spoolDirectory, Duration patience) {
        this.spoolDirectory = spoolDirectory;
        this.patience = patience;
    }

    /** Which blob, cached in which (local) repository. */
    record Key(RepositoryName name, Digest digest) {}

    /** What the caller of {@link #join} does when it is the first: starts the download into the fetch. */
    interface Starter {
        void start(BlobFetch fetch) throws IOException;
    }

    /** The fetch under way for the blob, or null. */
    BlobFetch current(Key key) {
        return inFlight.get(key);
    }

    /**
     * The fetch of the blob, started by {@code starter} when none is under way. The starter runs on the
     * caller's thread until the upstream answers, so its failure is the caller's (a 404 or 502 to send).
     */
    BlobFetch join(Key key, Descriptor descriptor, Starter starter) throws IOException {
        BlobFetch fresh = null;
        BlobFetch fetch;
        synchronized (inFlight) {
            fetch = inFlight.get(key);
            if (fetch == null) {
                fresh = new BlobFetch(descriptor, spoolDirectory, patience);
                inFlight.put(key, fresh);
                fetch = fresh;
            }
        }
        if (fresh != null) {
            try {
                starter.start(fresh);
            } catch (IOException | RuntimeException e) {
                fresh.fail(e.getMessage());
                done(key, fresh);
                throw e;
            }
        }
        return fetch;
    }

    /** Forgets a fetch that ended; later pulls find the blob in storage. */
    void done(Key key, BlobFetch fetch) {
        inFlight.remove(key, fetch);
        fetch.finish();
    }
}
