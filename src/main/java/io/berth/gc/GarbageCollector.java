package io.berth.gc;

import io.berth.registry.Digest;
import io.berth.registry.RepositoryName;
import io.berth.registry.Tag;
import io.berth.storage.Paths;
import io.berth.storage.cache.DescriptorCache;
import io.berth.storage.cache.Scope;
import io.berth.storage.driver.StorageDriver;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mark and sweep over one storage root. Mark: every manifest a repository links (with
 * {@code deleteUntagged}, only those tagged, listed by a kept index or referring to a kept
 * manifest) and everything it references, across all repositories. Sweep: the untagged manifests'
 * links, then every blob no mark reached that is older than the delay and no push claims, with
 * every repository's link to it. Uploads in progress are never touched.
 */
public final class GarbageCollector {

    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);

    private final StorageDriver driver;
    private final DescriptorCache cache;
    private final Fence fence;
    private final Clock clock;

    /**
     * {@code cache}: the descriptor cache in use ({@link DescriptorCache#none()} offline); every
     * swept blob, unlinked layer and deleted manifest is cleared from it.
     */
    public GarbageCollector(StorageDriver driver, DescriptorCache cache, Fence fence, Clock clock) {
        this.driver = driver;
        this.cache = cache;
        this.fence = fence;
        this.clock = clock;
    }

    /** Runs one collection; a failure of storage stops it where it is, which leaves storage consistent. */
    public Report collect(Options options, Listener listener) throws IOException {
        Instant start = clock.instant();
        try (ParallelStorage storage = new ParallelStorage(driver)) {
            return collect(storage, start, options, listener);
        }
    }

    private Report collect(ParallelStorage storage, Instant start, Options options, Listener listener) throws IOException {
        Sweeper sweeper = new Sweeper(storage, cache);
        List<RepositoryFolders> repositories = RepositoryFolders.find(storage);
        repositories.sort(Comparator.comparing(repository -> repository.name().value()));
        Marker marker = new Marker(storage, options.deleteUntagged(), listener);
        marker.mark(repositories.stream().filter(RepositoryFolders::manifests).map(RepositoryFolders::name).toList());
        List<Marker.Untagged> untagged = marker.untagged();
        // Young blobs are judged against the start, so that a blob pushed while marking is young.
        Instant cutoff = options.delay().isZero() ? null : start.minus(options.delay());
        List<Report.Swept> unmarked = sweeper.unmarked(marker.marked(), cutoff);
        Set<Digest> touched = cutoff == null ? Set.of() : fence.touchedSince(cutoff);
        List<Report.Swept> candidates = unmarked.stream().filter(blob -> !touched.contains(blob.digest())).toList();
        listener.line("");
        listener.line(marker.marked().size() + " blobs marked, " + candidates.size() + " blobs and " + untagged.size()
                + " manifests eligible for deletion");
        untagged.forEach(manifest -> listener.line("manifest eligible for deletion: " + manifest));
        candidates.forEach(blob -> listener.line("blob eligible for deletion: " + blob.digest()));
        Removed removed = options.dryRun() ? new Removed(untagged, candidates) : sweep(storage, sweeper, untagged, candidates,
                repositories.stream().map(RepositoryFolders::name).toList(), listener);
        Report report = new Report(repositories.size(), marker.manifests(), marker.marked().size(), removed.blobs(),
                removed.blobs().stream().mapToLong(Report.Swept::size).sum(),
                removed.manifests().stream().map(Marker.Untagged::toString).toList(), Duration.between(start, clock.instant()));
        log.info("garbage collection{}: {} repositories, {} manifests and {} blobs marked, {} manifests and {} blobs ({} bytes) {} in {} ms",
                options.dryRun() ? " (dry run)" : "", report.repositories(), report.manifestsMarked(), report.blobsMarked(),
                report.manifestsDeleted().size(), report.blobsDeleted().size(), report.bytesFreed(),
                options.dryRun() ? "eligible" : "removed", report.took().toMillis());
        return report;
    }

    /** What a sweep removed. */
    private record Removed(List<Marker.Untagged> manifests, List<Report.Swept> blobs) {}

    /**
     * Announces every manifest and blob about to go, then removes the untagged manifests and the
     * blobs that no push in flight claims. A push of an untagged manifest (tagging it again) claims
     * the manifest and everything it references, so all of that stays.
     */
    private Removed sweep(ParallelStorage storage, Sweeper sweeper, List<Marker.Untagged> untagged,
            List<Report.Swept> candidates, List<RepositoryName> repositories, Listener listener) throws IOException {
        Set<Digest> digests = new HashSet<>();
        candidates.forEach(blob -> digests.add(blob.digest()));
        untagged.forEach(manifest -> digests.add(manifest.digest()));
        try {
            Set<Digest> claimed = fence.begin(digests);
            List<Marker.Untagged> unlinked = untagged.stream().filter(manifest -> !claimed.contains(manifest.digest())).toList();
            unlinked.forEach(manifest -> listener.line("Deleting manifest: " + manifest));
            storage.each(unlinked, manifest -> delete(storage, sweeper, manifest));
            List<Report.Swept> swept = candidates.stream().filter(blob -> !claimed.contains(blob.digest())).toList();
            sweeper.delete(swept, repositories, listener);
            return new Removed(unlinked, swept);
        } finally {
            fence.end();
        }
    }

    /**
     * Removes a manifest from its repository as the registry's delete does: its entry in the
     * referrers index of its subject first, then its revision link, then what tags once pointed at it.
     */
    private static void delete(ParallelStorage storage, Sweeper sweeper, Marker.Untagged manifest) throws IOException {
        RepositoryName name = manifest.repository();
        if (manifest.subject() != null) {
            storage.delete(Paths.of(new Paths.ReferrerEntry(name, manifest.subject(), manifest.digest())));
        }
        storage.delete(Paths.of(new Paths.ManifestRevisionDir(name, manifest.digest())));
        for (Tag tag : manifest.tags()) {
            storage.delete(Paths.of(new Paths.TagIndexLink(name, tag, manifest.digest())));
        }
        sweeper.clear(Scope.manifests(name), manifest.digest());
    }
}
