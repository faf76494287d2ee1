package io.berth.gc;

import io.berth.registry.Digest;
import io.berth.registry.Manifest;
import io.berth.registry.ManifestParser;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.storage.Paths;
import io.berth.storage.cache.DescriptorCache;
import io.berth.storage.cache.Scope;
import io.berth.storage.driver.FileInfo;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mark and sweep over one storage root.
 *
 * <p>STAND-IN of part A's engine (branch gc-engine), written only so that part B (online
 * collection) compiles and its tests run: plain mark and sweep, no --delete-untagged, no listener
 * lines. On merge, take part A's GarbageCollector and drop this file.
 */
public final class GarbageCollector {

    private static final Pattern REVISION = Pattern.compile(".*/repositories/(.+)/_manifests/revisions/(\\w+)/(\\p{XDigit}+)/link");
    private static final Pattern LAYER = Pattern.compile(".*/repositories/(.+)/_layers/(\\w+)/(\\p{XDigit}+)/link");
    private static final Pattern BLOB = Pattern.compile(".*/blobs/(\\w+)/\\p{XDigit}{2}/(\\p{XDigit}+)/data");

    private final StorageDriver driver;
    private final DescriptorCache cache;
    private final Fence fence;
    private final Clock clock;

    /** cache: the descriptor cache in use; every swept blob and unlinked layer is cleared from it. */
    public GarbageCollector(StorageDriver driver, DescriptorCache cache, Fence fence, Clock clock) {
        this.driver = driver;
        this.cache = cache;
        this.fence = fence;
        this.clock = clock;
    }

    /** Marks every blob a revisioned manifest references, then sweeps the rest that are older than the delay. */
    public Report collect(Options options, Listener listener) throws IOException {
        Instant start = clock.instant();
        Set<String> repositories = new HashSet<>();
        Set<Digest> marked = new HashSet<>();
        Map<Digest, List<RepositoryName>> layers = new HashMap<>();
        long[] manifests = {0};
        List<IOException> failures = new ArrayList<>();
        walk(Paths.of(new Paths.Repositories()), info -> {
            Matcher revision = REVISION.matcher(info.path());
            Matcher layer = LAYER.matcher(info.path());
            try {
                if (revision.matches()) {
                    repositories.add(revision.group(1));
                    manifests[0]++;
                    mark(Digest.parse(revision.group(2) + ":" + revision.group(3)), marked);
                } else if (layer.matches()) {
                    layers.computeIfAbsent(Digest.parse(layer.group(2) + ":" + layer.group(3)), d -> new ArrayList<>())
                            .add(RepositoryName.parse(layer.group(1)));
                }
            } catch (IOException e) {
                failures.add(e);
            }
        });
        if (!failures.isEmpty()) {
            throw failures.getFirst();
        }
        Instant youngest = start.minus(options.delay());
        Map<Digest, Long> candidates = new HashMap<>();
        walk(Paths.of(new Paths.Repositories()).replace("/repositories", "/blobs"), info -> {
            Matcher blob = BLOB.matcher(info.path());
            if (blob.matches() && info.modified().isBefore(youngest)) {
                Digest digest = Digest.parse(blob.group(1) + ":" + blob.group(2));
                if (!marked.contains(digest)) {
                    candidates.put(digest, info.size());
                }
            }
        });
        candidates.keySet().removeAll(fence.touchedSince(youngest));
        List<Report.Swept> swept = new ArrayList<>();
        if (!options.dryRun() && !candidates.isEmpty()) {
            try {
                candidates.keySet().removeAll(fence.begin(new HashSet<>(candidates.keySet())));
                for (Map.Entry<Digest, Long> candidate : candidates.entrySet()) {
                    sweep(candidate.getKey(), layers.getOrDefault(candidate.getKey(), List.of()));
                    swept.add(new Report.Swept(candidate.getKey(), candidate.getValue()));
                }
            } finally {
                fence.end();
            }
        }
        return new Report(repositories.size(), manifests[0], marked.size(), swept,
                swept.stream().mapToLong(Report.Swept::size).sum(), List.of(), Duration.between(start, clock.instant()));
    }

    private void mark(Digest manifest, Set<Digest> marked) throws IOException {
        marked.add(manifest);
        try {
            byte[] content = driver.getContent(Paths.of(new Paths.BlobData(manifest)));
            String type = ManifestParser.declaredMediaType(content);
            Manifest parsed = ManifestParser.parse(content, type != null ? type : ManifestParser.sniffMediaType(content),
                    manifest.algorithm());
            parsed.blobs().forEach(blob -> marked.add(blob.digest()));
            parsed.children().forEach(child -> marked.add(child.digest()));
        } catch (StorageDriverException.PathNotFound | RegistryException e) {
            // a revision without bytes, or bytes it cannot read, references nothing it can mark
        }
    }

    private void sweep(Digest digest, List<RepositoryName> linkedFrom) throws IOException {
        delete(Paths.of(new Paths.BlobDir(digest)));
        cache.statter(Scope.GLOBAL, d -> null).clear(digest);
        for (RepositoryName repository : linkedFrom) {
            delete(Paths.of(new Paths.LayerLinkDir(repository, digest)));
            cache.statter(Scope.layers(repository), d -> null).clear(digest);
        }
    }

    private void delete(String path) throws IOException {
        try {
            driver.delete(path);
        } catch (StorageDriverException.PathNotFound e) {
            // gone already
        }
    }

    private void walk(String path, java.util.function.Consumer<FileInfo> visitor) throws IOException {
        try {
            driver.walk(path, visitor);
        } catch (StorageDriverException.PathNotFound e) {
            // nothing stored yet
        }
    }
}
