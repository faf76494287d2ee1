package io.berth.gc;

import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.storage.Paths;
import java.io.IOException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every repository folder under the storage root, found by a walk that lists folders in parallel.
 * As in Distribution, a repository is a folder holding {@code _manifests}; one that holds only
 * {@code _layers} (blobs pushed, no manifest yet) counts too, since its links must go with swept blobs.
 *
 * @param manifests whether the folder holds {@code _manifests}
 */
record RepositoryFolders(RepositoryName name, boolean manifests) {

    private static final Logger log = LoggerFactory.getLogger(RepositoryFolders.class);

    /** The repositories in storage, in no particular order. */
    static List<RepositoryFolders> find(ParallelStorage storage) throws IOException {
        String root = Paths.of(new Paths.Repositories());
        Queue<RepositoryFolders> found = new ConcurrentLinkedQueue<>();
        walk(storage, root, root, found);
        return List.copyOf(found);
    }

    private static void walk(ParallelStorage storage, String root, String folder, Queue<RepositoryFolders> found) throws IOException {
        List<String> children = storage.list(folder);
        boolean manifests = false;
        boolean layers = false;
        for (String child : children) {
            String name = child.substring(child.lastIndexOf('/') + 1);
            manifests |= name.equals("_manifests");
            layers |= name.equals("_layers");
        }
        if ((manifests || layers) && !folder.equals(root)) {
            try {
                found.add(new RepositoryFolders(RepositoryName.parse(folder.substring(root.length() + 1)), manifests));
            } catch (RegistryException e) {
                log.warn("skipping {}: not a valid repository name", folder);
            }
        }
        // Names nest (a and a/b are both repositories); the registry's own folders start with '_'.
        ParallelStorage.each(children.stream().filter(child -> child.charAt(child.lastIndexOf('/') + 1) != '_').toList(),
                child -> walk(storage, root, child, found));
    }
}
