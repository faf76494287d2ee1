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
import java.util.Comparator;
import java.util.List;
import java.util.Set;
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
        List<Digest> unmarked = new ArrayList<>();
        storage.map(prefixes, prefix -> unmarkedIn(prefix, marked)).forEach(unmarked::addAll);
        List<FileInfo> data = storage.map(unmarked, digest -> storage.stat(Paths.of(new Paths.BlobData(digest))));
        List<Report.Swept> found = new ArrayList<>();
        for (int i = 0; i < unmarked.size(); i++) {
            FileInfo info = data.get(i);
            if (info != null && !info.isDirectory() && (cutoff == null || info.modified().isBefore(cutoff))) {
                found.add(new Report.Swept(unmarked.get(i), info.size()));
            }
        }
        found.sort(Comparator.comparing(swept -> swept.digest().toString()));
        return found;
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
    void delete(List<Report.Swept> blobs, List<RepositoryName> repositories, Listener listener) throws IOException {
        if (blobs.isEmpty()) {
            return; // nor any link to look for: an online run that finds no garbage lists no repository's layers
        }
        blobs.forEach(blob -> listener.line("Deleting blob: " + Paths.of(new Paths.BlobDir(blob.digest()))));
        storage.each(blobs, blob -> {
            storage.delete(Paths.of(new Paths.BlobDir(blob.digest())));
            clear(Scope.GLOBAL, blob.digest());
        });
        Set<Digest> swept = blobs.stream().map(Report.Swept::digest).collect(Collectors.toSet());
        List<List<String>> layers = storage.map(repositories,
                repository -> RepositoryState.linkFolders(storage, Paths.of(new Paths.LayerLinks(repository))));
        record Link(RepositoryName repository, Digest digest) {}
        List<Link> links = new ArrayList<>();
        for (int i = 0; i < repositories.size(); i++) {
            for (String folder : layers.get(i)) {
                Digest digest = RepositoryState.digestOf(folder);
                if (digest != null && swept.contains(digest)) {
                    links.add(new Link(repositories.get(i), digest));
                }
            }
        }
        storage.each(links, link -> {
            storage.delete(Paths.of(new Paths.LayerLinkDir(link.repository(), link.digest())));
            clear(Scope.layers(link.repository()), link.digest());
        });
    }

    /** Forgets a digest in one scope of the descriptor cache, after storage dropped it. */
    void clear(Scope scope, Digest digest) {
        cache.statter(scope, unused -> {
            throw new IllegalStateException("a statter that only clears never stats");
        }).clear(digest);
    }
}
