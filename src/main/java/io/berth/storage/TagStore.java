package io.berth.storage;

import io.berth.registry.Digest;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.registry.Tag;
import io.berth.registry.Tags;
import io.berth.storage.driver.Change;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A repository's tags, in Distribution's layout: a folder per tag with its current link and history. */
public final class TagStore implements Tags {

    private final RepositoryName name;
    private final StorageDriver driver;
    private final RepositoryLocks locks;

    TagStore(RepositoryName name, StorageDriver driver, RepositoryLocks locks) {
        this.name = name;
        this.driver = driver;
        this.locks = locks;
    }

    /** The manifest a tag points at, or {@link RegistryError.ManifestUnknown}. */
    @Override
    public Digest resolve(Tag tag) throws IOException {
        Digest digest = Links.read(driver, new Paths.TagCurrentLink(name, tag));
        if (digest == null) {
            throw new RegistryException(new RegistryError.ManifestUnknown(tag.value()));
        }
        return digest;
    }

    /** What points a tag at a manifest: its history entry, then its current link. */
    List<Change> tag(Tag tag, Digest digest) {
        return List.of(Links.put(new Paths.TagIndexLink(name, tag, digest), digest), Links.put(new Paths.TagCurrentLink(name, tag), digest));
    }

    /** Removes a tag, or {@link RegistryError.ManifestUnknown} when there is none; never half way through a push of it. */
    @Override
    public void delete(Tag tag) throws IOException {
        locks.locked(name, () -> {
            try {
                driver.delete(Paths.of(new Paths.TagDir(name, tag)));
            } catch (StorageDriverException.PathNotFound e) {
                throw new RegistryException(new RegistryError.ManifestUnknown(tag.value()));
            }
            return null;
        });
    }

    /** Removes every tag that points at a manifest. */
    public void deleteAll(Digest digest) throws IOException {
        for (Tag tag : list()) {
            if (digest.equals(Links.read(driver, new Paths.TagCurrentLink(name, tag)))) {
                try {
                    driver.delete(Paths.of(new Paths.TagDir(name, tag)));
                } catch (StorageDriverException.PathNotFound e) {
                    // deleted meanwhile: the goal is reached
                }
            }
        }
    }

    /** Every tag, in lexical order; {@link RegistryError.NameUnknown} for a repository without manifests. */
    @Override
    public List<Tag> list() throws IOException {
        List<String> paths;
        try {
            paths = driver.list(Paths.of(new Paths.Tags(name)));
        } catch (StorageDriverException.PathNotFound e) {
            try {
                driver.stat(Paths.of(new Paths.Manifests(name)));
                return List.of();
            } catch (StorageDriverException.PathNotFound none) {
                throw new RegistryException(new RegistryError.NameUnknown(name));
            }
        }
        List<Tag> tags = new ArrayList<>(paths.size());
        for (String path : paths) {
            String tag = path.substring(path.lastIndexOf('/') + 1);
            if (Tag.isValid(tag)) {
                tags.add(new Tag(tag));
            }
        }
        return tags; // in lexical order already: the driver lists so
    }
}
