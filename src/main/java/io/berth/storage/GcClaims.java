package io.berth.storage;

import io.berth.registry.Digest;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.storage.driver.Change;
import io.berth.storage.driver.FileInfo;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The storage side of online garbage collection: what keeps a collection, on this replica or
 * another, from deleting a blob that a push in flight relies on. Both sides write, then read
 * (storage is strongly consistent: a file system, S3 since 2020), so at least one sees the other.
 *
 * <p>A push (manifest PUT, blob commit, mount) first writes a <em>claim</em> naming the digests it
 * relies on, then reads the <em>sweep marker</em>. When a sweep announced there may delete one of
 * them, the push waits for it to end (up to {@link #WAIT}, then 429) and checks storage again, never
 * the descriptor cache, which a collection on another replica leaves stale. After publishing it
 * removes its claim, unless a collection is running (the <em>collecting marker</em>): that
 * collection's mark may have missed the new revision, so the claim stays, rewritten as
 * {@value #PUBLISHED}, which gives it the time of a moment after the publish.
 *
 * <p>A collection writes the collecting marker before it marks, the sweep marker with its
 * candidates after it, and only then lists the claims: claimed candidates are kept. A claim is
 * stale, and removed, when the collection that sees it started (its collecting marker's time) after
 * the claim was marked published, since that collection's mark saw the revision; or when it was
 * written more than {@link #PUBLISH_DEADLINE} plus a minute before, since its push published
 * before then or never will (a push publishes within the deadline of its claim or not at all).
 *
 * <p>A blob committed or mounted again gets a <em>touched</em> marker, so that the collection spares
 * it for its delay like a young blob, though its data is old. A sweep marker not refreshed for
 * {@link #STALE_MARKER} is a crashed collector's and is ignored (a collector refreshes it while it
 * runs). Everything here costs pushes nothing when online collection is off ({@link #OFF}).
 */
public final class GcClaims {

    /** Online collection is off: pushes write and read nothing more. */
    public static final GcClaims OFF = new GcClaims(null);

    /** How long a push waits for a sweep of its blobs to end. */
    static final Duration WAIT = Duration.ofSeconds(30);
    /** A push publishes within this time of writing its claim, or fails. */
    public static final Duration PUBLISH_DEADLINE = Duration.ofMinutes(5);
    /** A sweep marker older than this belongs to a collector that is gone. */
    public static final Duration STALE_MARKER = Duration.ofMinutes(10);
    private static final long POLL_MILLIS = 100;
    /** The last line of a claim whose push published while a collection ran. */
    static final String PUBLISHED = "published";

    private final StorageDriver driver;

    private GcClaims(StorageDriver driver) {
        this.driver = driver;
    }

    /** Claims written and read over this driver: every replica writing the root must use them. */
    public static GcClaims on(StorageDriver driver) {
        return new GcClaims(driver);
    }

    /**
     * Claims digests for a push and waits until no sweep may delete them; the caller then checks
     * them in storage (not the cache), publishes, and closes the claim.
     */
    Claim claim(Collection<Digest> digests) throws IOException {
        if (driver == null) {
            return new Claim(null, 0, List.of());
        }
        long start = System.nanoTime();
        String path = Paths.of(new Paths.GcClaim(UUID.randomUUID()));
        driver.putContent(path, lines(digests));
        Claim claim = new Claim(path, start, digests);
        try {
            awaitNoSweepOf(digests);
            return claim;
        } catch (IOException | RuntimeException e) {
            claim.close();
            throw e;
        }
    }

    private void awaitNoSweepOf(Collection<Digest> digests) throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (sweeps(digests)) {
            if (System.nanoTime() > deadline) {
                throw new RegistryException(new RegistryError.TooManyRequests(
                        "a garbage collection is deleting blobs this push uses; try again", Duration.ofSeconds(5)));
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while a garbage collection swept", e);
            }
        }
    }

    /** True when a live sweep marker names one of the digests. */
    private boolean sweeps(Collection<Digest> digests) throws IOException {
        String path = Paths.of(new Paths.GcSweeping());
        try {
            FileInfo info = driver.stat(path);
            if (info.modified().isBefore(Instant.now().minus(STALE_MARKER))) {
                return false;
            }
            Set<Digest> swept = digests(driver.getContent(path));
            return digests.stream().anyMatch(swept::contains);
        } catch (StorageDriverException.PathNotFound e) {
            return false;
        }
    }

    /** The change that marks a blob as pushed or mounted again now, or none when collection is off. */
    List<Change> touch(Digest digest) {
        return driver == null ? List.of() : List.of(new Change.Put(Paths.of(new Paths.GcTouched(digest)), new byte[0]));
    }

    /** One push's claim: checked against its deadline before publishing, removed on close unless a collection needs it. */
    final class Claim implements AutoCloseable {
        private final String path;
        private final long started;
        private final Collection<Digest> digests;
        private boolean published;

        private Claim(String path, long started, Collection<Digest> digests) {
            this.path = path;
            this.started = started;
            this.digests = digests;
        }

        /** True when the push must check storage rather than the cache. */
        boolean active() {
            return path != null;
        }

        /** Call right before publishing: a push past its deadline may already count as stale to a collector. */
        void beforePublish() {
            if (path != null && System.nanoTime() - started > PUBLISH_DEADLINE.toNanos()) {
                throw new RegistryException(new RegistryError.TooManyRequests(
                        "the push took too long to check its blobs; try again", Duration.ofSeconds(1)));
            }
        }

        /** Call once published. */
        void published() {
            published = true;
        }

        @Override
        public void close() throws IOException {
            if (path == null) {
                return;
            }
            if (published && exists(Paths.of(new Paths.GcCollecting()))) {
                // The running collection may have marked before this push published: it keeps the claim's blobs.
                driver.putContent(path, (new String(lines(digests), StandardCharsets.UTF_8) + PUBLISHED + "\n")
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            deleteIfPresent(path);
        }
    }

    // The collector's side.

    /** Announces a collection before it marks; returns the marker's time on storage's clock. */
    public Instant startCollecting(String owner) throws IOException {
        String path = Paths.of(new Paths.GcCollecting());
        driver.putContent(path, owner.getBytes(StandardCharsets.UTF_8));
        return driver.stat(path).modified();
    }

    /**
     * Announces the digests a sweep may delete, then returns those that claims name: they are kept.
     * {@code collectionStarted}: the time {@link #startCollecting} returned; stale claims count for nothing.
     */
    public Set<Digest> announceSweep(Set<Digest> candidates, Instant collectionStarted) throws IOException {
        driver.putContent(Paths.of(new Paths.GcSweeping()), lines(candidates));
        Set<Digest> claimed = new HashSet<>();
        for (String claim : list(Paths.of(new Paths.GcClaims()))) {
            FileInfo info = statOrNull(claim);
            try {
                byte[] content = driver.getContent(claim);
                if (info != null && !stale(info, content, collectionStarted)) {
                    digests(content).stream().filter(candidates::contains).forEach(claimed::add);
                }
            } catch (StorageDriverException.PathNotFound e) {
                // its push removed it meanwhile: published before the sweep marker was read, or failed
            }
        }
        return claimed;
    }

    private static boolean stale(FileInfo claim, byte[] content, Instant collectionStarted) {
        boolean published = new String(content, StandardCharsets.UTF_8).endsWith(PUBLISHED + "\n");
        return published && claim.modified().isBefore(collectionStarted)
                || claim.modified().isBefore(collectionStarted.minus(PUBLISH_DEADLINE).minusSeconds(60));
    }

    /** Rewrites the sweep marker of a sweep under way, so pushes keep taking it for a live collector's. */
    public void refreshSweep(Set<Digest> candidates) throws IOException {
        driver.putContent(Paths.of(new Paths.GcSweeping()), lines(candidates));
    }

    /** Ends a sweep: pushes waiting for it go on. */
    public void endSweep() throws IOException {
        deleteIfPresent(Paths.of(new Paths.GcSweeping()));
    }

    /** Ends a collection; a claim left for it is removed by the next one, as stale. */
    public void endCollecting() throws IOException {
        deleteIfPresent(Paths.of(new Paths.GcCollecting()));
    }

    /** Removes the claims that no collection started at or after {@code collectionStarted} needs; returns how many. */
    public int removeStaleClaims(Instant collectionStarted) throws IOException {
        int removed = 0;
        for (String claim : list(Paths.of(new Paths.GcClaims()))) {
            FileInfo info = statOrNull(claim);
            try {
                if (info != null && stale(info, driver.getContent(claim), collectionStarted)) {
                    deleteIfPresent(claim);
                    removed++;
                }
            } catch (StorageDriverException.PathNotFound e) {
                // removed by its push meanwhile
            }
        }
        return removed;
    }

    /** The blobs pushed or mounted again at or after {@code since}. */
    public Set<Digest> touchedSince(Instant since) throws IOException {
        Set<Digest> touched = new HashSet<>();
        for (String algorithm : list(Paths.of(new Paths.GcTouchedAll()))) {
            for (String marker : list(algorithm)) {
                FileInfo info = statOrNull(marker);
                Digest digest = parsed(name(algorithm) + ":" + name(marker));
                if (digest != null && info != null && !info.modified().isBefore(since)) {
                    touched.add(digest);
                }
            }
        }
        return touched;
    }

    /** Removes touched markers older than {@code before}: their blobs are protected by nothing more. */
    public int removeTouchedBefore(Instant before) throws IOException {
        int removed = 0;
        for (String algorithm : list(Paths.of(new Paths.GcTouchedAll()))) {
            removed += removeOlder(algorithm, before);
        }
        return removed;
    }

    private int removeOlder(String folder, Instant before) throws IOException {
        int removed = 0;
        for (String file : list(folder)) {
            FileInfo info = statOrNull(file);
            if (info != null && info.modified().isBefore(before)) {
                deleteIfPresent(file);
                removed++;
            }
        }
        return removed;
    }

    private List<String> list(String folder) throws IOException {
        try {
            return driver.list(folder);
        } catch (StorageDriverException.PathNotFound e) {
            return List.of();
        }
    }

    private FileInfo statOrNull(String path) throws IOException {
        try {
            return driver.stat(path);
        } catch (StorageDriverException.PathNotFound e) {
            return null;
        }
    }

    private boolean exists(String path) throws IOException {
        return statOrNull(path) != null;
    }

    private void deleteIfPresent(String path) throws IOException {
        try {
            driver.delete(path);
        } catch (StorageDriverException.PathNotFound e) {
            // gone already
        }
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static byte[] lines(Collection<Digest> digests) {
        StringBuilder text = new StringBuilder();
        digests.forEach(digest -> text.append(digest).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The digests of a claim or marker, one a line. */
    private static Set<Digest> digests(byte[] content) {
        Set<Digest> digests = new HashSet<>();
        for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
            Digest digest = parsed(line);
            if (digest != null) {
                digests.add(digest);
            }
        }
        return digests;
    }

    /** The digest a text names, or null for anything else (the published line, a damaged or stray file). */
    private static Digest parsed(String text) {
        try {
            return text.isBlank() || text.equals(PUBLISHED) ? null : Digest.parse(text.trim());
        } catch (RuntimeException e) {
            return null;
        }
    }
}
