package io.berth.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.berth.registry.RegistryException;
import io.berth.registry.CatalogPage;
import io.berth.registry.RepositoryName;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The list of repositories, from an index (one empty file per repository in one folder) rather
 * than a walk of the whole store. A storage root written by Distribution has no index; the first
 * listing builds it with one walk, as Distribution would do on every listing. Repositories that
 * another writer of the same root adds or removes (Distribution, a restore, another replica) are
 * found by {@link #reconcile}, run in the background and by {@code berth catalog rebuild}.
 *
 * <p>As in Distribution, a repository is a folder holding {@code _manifests}: one whose manifests
 * were all deleted stays listed, since the folder stays.
 *
 * <p>Memory is bounded whatever the number of repositories: listings and the reconcile read the
 * index and the repositories a page at a time, and at most {@link #REMEMBERED} names are kept to
 * spare a push the stat of its entry (about 150 bytes each, so some 1.5 MB).
 */
public final class Catalog {

    private static final Logger log = LoggerFactory.getLogger(Catalog.class);

    /** How many repositories are remembered as indexed. */
    static final int REMEMBERED = 10_000;
    /** Names read from storage per listing call. */
    static final int PAGE = 1000;
    /** Every character of a repository name, in order: what a {@code last} marker is measured against. */
    private static final String ALPHABET = "-./0123456789_abcdefghijklmnopqrstuvwxyz";

    /** What a reconcile found: repositories in storage, and index entries it added and removed. */
    public record Reconciled(long repositories, long added, long removed) {}

    private final StorageDriver driver;
    private final Cache<RepositoryName, Boolean> indexed;
    private final ReentrantLock reconciling = new ReentrantLock();
    private volatile boolean complete;

    public Catalog(StorageDriver driver) {
        this(driver, REMEMBERED);
    }

    Catalog(StorageDriver driver, int remembered) {
        this.driver = driver;
        // Evicting on the caller's thread keeps the bound exact rather than eventually so.
        this.indexed = Caffeine.newBuilder().maximumSize(remembered).executor(Runnable::run).build();
    }

    /** Records that a repository exists; called when it gets a manifest. */
    void add(RepositoryName name) throws IOException {
        if (indexed.getIfPresent(name) == null) {
            ensureEntry(name);
        }
    }

    /** Writes a repository's entry unless storage has it; true when it was written. */
    private boolean ensureEntry(RepositoryName name) throws IOException {
        String entry = Paths.of(new Paths.CatalogEntry(name));
        boolean written = false;
        try {
            driver.stat(entry);
        } catch (StorageDriverException.PathNotFound e) {
            driver.putContent(entry, new byte[0]);
            written = true;
        }
        indexed.put(name, Boolean.TRUE);
        return written;
    }

    /** Up to {@code n} repositories named after {@code last} (any string, or null), in lexical order. */
    public CatalogPage page(String last, int n) throws IOException {
        ensureComplete();
        List<String> names = new ArrayList<>();
        String after = last == null ? "" : marker(last);
        while (true) {
            int wanted = n + 1 - names.size();
            List<String> entries = indexPage(after, wanted);
            for (String entry : entries) {
                after = entry.substring(entry.lastIndexOf('/') + 1);
                String name = Paths.nameOfEntry(after);
                if (valid(name) == null) {
                    continue; // a stray file, or an entry of an older layout the next reconcile replaces
                }
                if (names.size() == n) {
                    return new CatalogPage(names, true);
                }
                names.add(name);
            }
            if (entries.size() < wanted) {
                return new CatalogPage(names, false);
            }
        }
    }

    /** Reconciles the index with storage and marks it complete; what {@code berth catalog rebuild} runs. */
    public Reconciled rebuild() throws IOException {
        Reconciled result = reconcile();
        driver.putContent(Paths.of(new Paths.CatalogComplete()), new byte[0]);
        complete = true;
        return result;
    }

    /**
     * Makes the index match storage: adds the repositories it lacks and removes the entries of
     * those gone. One at a time; a push meanwhile is safe, for its entry is checked again before
     * it is removed. Reads a page at a time, so memory stays bounded whatever the number.
     */
    public Reconciled reconcile() throws IOException {
        reconciling.lock();
        try {
            long[] found = new long[2];
            String root = Paths.of(new Paths.Repositories());
            eachRepository(root, root, name -> {
                found[0]++;
                if (ensureEntry(name)) { // not trusting memory: another writer may have removed the entry
                    found[1]++;
                }
            });
            return new Reconciled(found[0], found[1], removeStale());
        } finally {
            reconciling.unlock();
        }
    }

    /** How many repositories are remembered now; the bound is a test's to check. */
    long remembered() {
        indexed.cleanUp();
        return indexed.estimatedSize();
    }

    private void ensureComplete() throws IOException {
        if (complete) {
            return;
        }
        reconciling.lock(); // the first listings wait for one of them to index, rather than each walking
        try {
            if (!complete && !exists(Paths.of(new Paths.CatalogComplete()))) {
                log.info("indexing the repositories already in storage for the catalog");
                rebuild();
            }
            complete = true;
        } finally {
            reconciling.unlock();
        }
    }

    /** A step that may fail with I/O. */
    private interface Step<T> {
        void accept(T value) throws IOException;
    }

    /** Distribution's rule: every folder holding {@code _manifests} is a repository; Berth's own {@code _} folders are skipped. */
    private void eachRepository(String root, String dir, Step<RepositoryName> action) throws IOException {
        String after = "";
        List<String> children;
        do {
            try {
                children = driver.listPage(dir, after, PAGE);
            } catch (StorageDriverException.PathNotFound e) {
                return; // gone meanwhile, or a file
            }
            for (String child : children) {
                after = child.substring(child.lastIndexOf('/') + 1);
                if (after.equals("_manifests") && !dir.equals(root)) {
                    RepositoryName name = valid(dir.substring(root.length() + 1));
                    if (name == null) {
                        log.warn("skipping {}: not a valid repository name", dir);
                    } else {
                        action.accept(name);
                    }
                } else if (!after.startsWith("_")) {
                    eachRepository(root, child, action);
                }
            }
        } while (children.size() == PAGE);
    }

    /** Removes the entries whose repository has no {@code _manifests} any more; returns how many. */
    private long removeStale() throws IOException {
        long removed = 0;
        String after = "";
        List<String> entries;
        do {
            entries = indexPage(after, PAGE);
            for (String entry : entries) {
                after = entry.substring(entry.lastIndexOf('/') + 1);
                RepositoryName name = valid(Paths.nameOfEntry(after));
                if (name == null || !exists(Paths.of(new Paths.Manifests(name)))) {
                    delete(entry);
                    removed++;
                    if (name != null) {
                        indexed.invalidate(name);
                    }
                }
            }
        } while (entries.size() == PAGE);
        return removed;
    }

    private List<String> indexPage(String after, int limit) throws IOException {
        try {
            return driver.listPage(Paths.of(new Paths.Catalog()), after, limit);
        } catch (StorageDriverException.PathNotFound e) {
            return List.of();
        }
    }

    private boolean exists(String path) throws IOException {
        try {
            driver.stat(path);
            return true;
        } catch (StorageDriverException.PathNotFound e) {
            return false;
        }
    }

    private void delete(String path) throws IOException {
        try {
            driver.delete(path);
        } catch (StorageDriverException.PathNotFound e) {
            // removed by another reconcile meanwhile
        }
    }

    private static RepositoryName valid(String name) {
        try {
            return RepositoryName.parse(name);
        } catch (RegistryException e) {
            return null;
        }
    }

    /**
     * The index file name after which the entries of names after {@code last} begin. {@code last}
     * may hold characters no name has: from the first of those, only the names that go past it
     * count, so the marker stops at the greatest character below it, followed by one above all.
     */
    static String marker(String last) {
        StringBuilder prefix = new StringBuilder(last.length() + 1);
        for (int i = 0; i < last.length(); i++) {
            char c = last.charAt(i);
            if (ALPHABET.indexOf(c) < 0) {
                for (int j = ALPHABET.length() - 1; j >= 0; j--) {
                    if (ALPHABET.charAt(j) < c) {
                        return Paths.entryName(prefix + String.valueOf(ALPHABET.charAt(j))) + "~";
                    }
                }
                return Paths.entryName(prefix.toString());
            }
            prefix.append(c);
        }
        return Paths.entryName(prefix.toString());
    }
}
