package io.berth.gc;

import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.storage.Paths;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every repository folder under the storage root.
 * As in Distribution, a repository is a folder holding {@code _manifests}; one that holds only
 * {@code _layers} (blobs pushed, no manifest yet) counts too, since its links must go with swept blobs.
 *
 * @param manifests whether the folder holds {@code _manifests}
 */
record RepositoryFolders(RepositoryName name, boolean manifests) {

    private static final Logger log = LoggerFactory.getLogger(RepositoryFolders.class);

    /** The repositories in storage, in no particular order: a walk that lists each level's folders in parallel. */
    static List<RepositoryFolders> find(ParallelStorage storage) throws IOException {
        String root = Paths.of(new Paths.Repositories());
        List<RepositoryFolders> found = new ArrayList<>();
        List<String> level = List.of(root);
        while (!level.isEmpty()) {
            List<List<String>> listed = storage.map(level, storage::list);
            List<String> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i++) {
                String folder = level.get(i);
                List<String> children = listed.get(i);
                boolean manifests = children.stream().anyMatch(child -> named(child, "_manifests"));
                if ((manifests || children.stream().anyMatch(child -> named(child, "_layers"))) && !folder.equals(root)) {
                    add(found, folder.substring(root.length() + 1), manifests);
                }
                // Names nest (a and a/b are both repositories); the registry's own folders start with '_'.
                children.stream().filter(child -> child.charAt(child.lastIndexOf('/') + 1) != '_').forEach(next::add);
            }
            level = next;
        }
        return found;
    }

    private static boolean named(String path, String name) {
        return path.endsWith("/" + name);
    }

    private static void add(List<RepositoryFolders> found, String name, boolean manifests) {
        try {
            found.add(new RepositoryFolders(RepositoryName.parse(name), manifests));
        } catch (RegistryException e) {
            log.warn("skipping {}: not a valid repository name", name);
        }
    }
}
