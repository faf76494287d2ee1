package io.berth.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a bench run pushed, by repository, so that it can delete it afterwards: manifests by digest
 * (their tags go with them) and blobs with their sizes. Workers record into it concurrently.
 */
final class Pushed {

    /** One repository's share: manifest digests and blob digests with their sizes. */
    record Repository(String name, Set<String> manifests, Map<String, Long> blobs) {
        long blobBytes() {
            return blobs.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final Map<String, Repository> repositories = new ConcurrentHashMap<>();

    void blob(String repository, String digest, long size) {
        of(repository).blobs().put(digest, size);
    }

    void manifest(String repository, String digest) {
        of(repository).manifests().add(digest);
    }

    /** Every repository pushed to, in name order. */
    List<Repository> repositories() {
        List<Repository> all = new ArrayList<>(repositories.values());
        all.sort((x, y) -> x.name().compareTo(y.name()));
        return all;
    }

    private Repository of(String name) {
        return repositories.computeIfAbsent(name, n -> new Repository(n, ConcurrentHashMap.newKeySet(), new ConcurrentHashMap<>()));
    }
}
