package io.berth.storage;

import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The list of repositories, from an index (one empty file per repository in one folder) rather
 * than a walk of the whole store. A storage root written by Distribution has no index; the first
 * listing builds it with one walk, as Distribution would do on every listing.
 */
public final class Catalog {

    private static final Logger log = LoggerFactory.getLogger(Catalog.class);

    private final StorageDriver driver;
    /** Repositories known to be indexed already, to spare a stat on every manifest push. */
    private final Set<RepositoryName> indexed = ConcurrentHashMap.newKeySet();
    private volatile boolean complete;

    public Catalog(StorageDriver driver) {
        this.driver = driver;
    }

    /** Records that a repository exists; called when it gets a manifest. */
    void add(RepositoryName name) throws IOException {
        if (indexed.contains(name)) {
            return;
        }
        String entry = Paths.of(new Paths.CatalogEntry(name));
        try {
            driver.stat(entry);
        } catch (StorageDriverException.PathNotFound e) {
            driver.putContent(entry, new byte[0]);
        }
        indexed.add(name);
    }

    /** Every repository with manifests, in lexical order. */
    public List<String> list() throws IOException {
        ensureComplete();
        List<String> names = new ArrayList<>();
        try {
            for (String path : driver.list(Paths.of(new Paths.Catalog()))) {
                names.add(path.substring(path.lastIndexOf('/') + 1).replace(':', '/'));
            }
        } catch (StorageDriverException.PathNotFound e) {
            return names;
        }
        names.sort(null);
        return names;
    }

    private void ensureComplete() throws IOException {
        if (complete) {
            return;
        }
        String marker = Paths.of(new Paths.CatalogComplete());
        try {
            driver.stat(marker);
        } catch (StorageDriverException.PathNotFound e) {
            log.info("indexing the repositories already in storage for the catalog");
            for (RepositoryName name : walk()) {
                add(name);
            }
            driver.putContent(marker, new byte[0]);
        }
        complete = true;
    }

    /** Distribution's way: every folder holding a {@code _manifests} folder is a repository. */
    private List<RepositoryName> walk() throws IOException {
        String root = Paths.of(new Paths.Repositories());
        List<RepositoryName> found = new ArrayList<>();
        try {
            driver.walk(root, info -> {
                if (info.isDirectory() && info.path().endsWith("/_manifests")) {
                    String name = info.path().substring(root.length() + 1, info.path().length() - "/_manifests".length());
                    try {
                        found.add(RepositoryName.parse(name));
                    } catch (RegistryException e) {
                        log.warn("skipping {}: not a valid repository name", name);
                    }
                }
            });
        } catch (StorageDriverException.PathNotFound e) {
            return found;
        }
        return found;
    }
}
