package io.berth.gc;

import io.berth.registry.Digest;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.registry.Tag;
import io.berth.storage.Paths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One repository as a collection reads it: the manifests it links (revision links that name their
 * own digest, as the registry serves them) and the manifest each tag points at now.
 */
record RepositoryState(RepositoryName name, Set<Digest> revisions, Map<Tag, Digest> tags) {

    /** Reads the links of a repository, in parallel. */
    static RepositoryState read(ParallelStorage storage, RepositoryName name) throws IOException {
        Set<Digest> revisions = ConcurrentHashMap.newKeySet();
        ParallelStorage.each(linkFolders(storage, Paths.of(new Paths.ManifestRevisions(name))), folder -> {
            Digest digest = linkIn(storage, folder + "/link");
            if (digest != null && digest.equals(digestOf(folder))) {
                revisions.add(digest);
            }
        });
        Map<Tag, Digest> tags = new ConcurrentHashMap<>();
        ParallelStorage.each(storage.list(Paths.of(new Paths.Tags(name))), folder -> {
            String value = folder.substring(folder.lastIndexOf('/') + 1);
            if (Tag.isValid(value)) {
                Tag tag = new Tag(value);
                Digest digest = linkIn(storage, Paths.of(new Paths.TagCurrentLink(name, tag)));
                if (digest != null) {
                    tags.put(tag, digest);
                }
            }
        });
        return new RepositoryState(name, revisions, tags);
    }

    /** The {@code <algorithm>/<hex>} folders below a folder of links ({@code _layers}, {@code _manifests/revisions}). */
    static List<String> linkFolders(ParallelStorage storage, String root) throws IOException {
        List<String> folders = new ArrayList<>();
        for (String algorithm : storage.list(root)) {
            folders.addAll(storage.list(algorithm));
        }
        return folders;
    }

    /** The digest a folder of links stands for, from its path, or null for a stray folder. */
    static Digest digestOf(String folder) {
        int slash = folder.lastIndexOf('/');
        int before = folder.lastIndexOf('/', slash - 1);
        try {
            return Digest.parse(folder.substring(before + 1, slash) + ":" + folder.substring(slash + 1));
        } catch (RegistryException e) {
            return null;
        }
    }

    private static Digest linkIn(ParallelStorage storage, String path) throws IOException {
        byte[] content = storage.content(path);
        if (content == null) {
            return null;
        }
        try {
            return Digest.parse(new String(content, StandardCharsets.UTF_8).trim());
        } catch (RegistryException e) {
            return null; // damaged: the registry does not serve it either
        }
    }
}
