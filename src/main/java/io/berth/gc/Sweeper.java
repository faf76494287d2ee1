package io.berth.gc;

import io.berth.registry.Digest;
import io.berth.registry.RepositoryName;
import io.berth.storage.Paths;
import io.berth.storage.cache.DescriptorCache;
import io.berth.storage.cache.Scope;
import io.berth.storage.driver.FileInfo;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

/** The sweep phase: which blobs no mark reached, and their removal with every repository's link to them. */
final class Sweeper {

    private final ParallelStorage storage;
    private final DescriptorCache cache;

    Sweeper(ParallelStorage storage, DescriptorCache cache) {
        this.storage = storage;
        this.cache = cache;
    }

    /**
     * Every blob in storage that is not marked and whose data was written before {@code cutoff}
     * (null: any time), in digest order. A blob folder without data is left alone: nothing
     * serves it, and it is not the collection's to judge.
     */
    List<Report.Swept> unmarked(Set<Digest> marked, Instant cutoff) throws IOException {
        List<String> prefixes = new ArrayList<>();
        for (String algorithm : storage.list(Paths.of(new Paths.Blobs()))) {
            prefixes.addAll(storage.list(algorithm));
        }
        Queue<Report.Swept> found = new ConcurrentLinkedQueue<>();
        ParallelStorage.each(prefixes, prefix -> ParallelStorage.each(unmarkedIn(prefix, marked), digest -> {
            FileInfo data = storage.stat(Paths.of(new Paths.BlobData(digest)));
            if (data != null && !data.isDirectory() && (cutoff == null || data.modified().isBefore(cutoff))) {
                found.add(new Report.Swept(digest, data.size()));
            }
        }));
        List<Report.Swept> sorted = new ArrayList<>(found);
        sorted.sort(Comparator.comparing(swept -> swept.digest().toString()));
        return sorted;
    }

    private List<Digest> unmarkedIn(String prefix, Set<Digest> marked) throws IOException {
        String algorithm = prefix.substring(0, prefix.lastIndexOf('/'));
        List<Digest> digests = new ArrayList<>();
        for (String folder : storage.list(prefix)) {
            // A blob folder is <algorithm>/<two hex>/<hex>: the digest comes from the algorithm and the last name.
            Digest digest = RepositoryState.digestOf(algorithm + folder.substring(folder.lastIndexOf('/')));
            if (digest != null && !marked.contains(digest)) {
                digests.add(digest);
            }
        }
        return digests;
    }

    /** Deletes the blobs, then every repository's layer link to them; a blob or link gone already is fine. */
    void delete(Collection<Report.Swept> blobs, Collection<RepositoryName> repositories, Listener listener) throws IOException {
        ParallelStorage.each(blobs, blob -> {
            String folder = Paths.of(new Paths.BlobDir(blob.digest()));
            listener.line("Deleting blob: " + folder);
            storage.delete(folder);
            clear(Scope.GLOBAL, blob.digest());
        });
        Set<Digest> swept = blobs.stream().map(Report.Swept::digest).collect(Collectors.toSet());
        ParallelStorage.each(repositories, repository -> {
            List<Digest> linked = new ArrayList<>();
            for (String folder : RepositoryState.linkFolders(storage, Paths.of(new Paths.LayerLinks(repository)))) {
                Digest digest = RepositoryState.digestOf(folder);
                if (digest != null && swept.contains(digest)) {
                    linked.add(digest);
                }
            }
            ParallelStorage.each(linked, digest -> {
                storage.delete(Paths.of(new Paths.LayerLinkDir(repository, digest)));
                clear(Scope.layers(repository), digest);
            });
        });
    }

    /** Forgets a digest in one scope of the descriptor cache, after storage dropped it. */
    void clear(Scope scope, Digest digest) {
        cache.statter(scope, unused -> {
            throw new IllegalStateException("a statter that only clears never stats");
        }).clear(digest);
    }
}
