package io.berth.storage;

import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.Manifest;
import io.berth.registry.ManifestParser;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.storage.driver.Change;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A repository's manifests: the bytes live in the global blob store, the repository holds a
 * revision link to each. Writing one also keeps the referrers index of its subject current.
 */
public final class ManifestStore {

    /** A manifest as stored: its exact bytes and the media type to serve them with. */
    public record Stored(Digest digest, byte[] content, String mediaType) {}

    private final RepositoryName name;
    private final StorageDriver driver;
    private final BlobStore blobs;
    private final LinkedBlobStore layers;
    private final ReferrersIndex referrers;

    ManifestStore(RepositoryName name, StorageDriver driver, BlobStore blobs, LinkedBlobStore layers, ReferrersIndex referrers) {
        this.name = name;
        this.driver = driver;
        this.blobs = blobs;
        this.layers = layers;
        this.referrers = referrers;
    }

    /** True when this repository has the manifest. */
    public boolean exists(Digest digest) throws IOException {
        return Links.points(driver, new Paths.ManifestRevisionLink(name, digest), digest);
    }

    /** The manifest, or {@link RegistryError.ManifestUnknown}. */
    public Stored get(Digest digest) throws IOException {
        if (!exists(digest)) {
            throw unknown(digest);
        }
        byte[] content;
        try {
            content = driver.getContent(Paths.of(new Paths.BlobData(digest)));
        } catch (StorageDriverException.PathNotFound e) {
            throw unknown(digest);
        }
        return new Stored(digest, content, mediaType(digest, content));
    }

    /**
     * What stores a validated manifest, once everything it points at is checked to be here: its
     * blobs ({@link RegistryError.ManifestBlobUnknown}) and, for an index, its manifests
     * ({@link RegistryError.ManifestUnknown}). Storing the same manifest again changes nothing.
     */
    List<Change> put(Manifest manifest) throws IOException {
        for (Descriptor blob : manifest.blobs()) {
            try {
                layers.stat(blob.digest());
            } catch (RegistryException e) {
                throw new RegistryException(new RegistryError.ManifestBlobUnknown(blob.digest()));
            }
        }
        for (Descriptor child : manifest.children()) {
            if (!exists(child.digest())) {
                throw new RegistryException(new RegistryError.ManifestUnknown(
                        "the index lists " + child.digest() + ", which this repository does not have"));
            }
        }
        Digest digest = manifest.digest();
        List<Change> changes = new ArrayList<>();
        if (!blobs.exists(digest)) {
            changes.add(new Change.Put(Paths.of(new Paths.BlobData(digest)), manifest.content()));
        }
        if (!manifest.mediaTypeDeclared()) {
            changes.add(new Change.Put(Paths.of(new Paths.ManifestMediaType(name, digest)), manifest.mediaType().getBytes(StandardCharsets.UTF_8)));
        }
        // The revision before the referrers entry: a crash between them loses only an entry the next push restores.
        changes.add(Links.put(new Paths.ManifestRevisionLink(name, digest), digest));
        if (manifest.subject() != null) {
            changes.add(referrers.add(manifest.subject().digest(), manifest.asReferrer()));
        }
        return changes;
    }

    /** Removes the manifest from this repository, with its referrers entry; tags are the caller's. */
    public void delete(Digest digest) throws IOException {
        Stored stored = get(digest);
        Descriptor subject = subjectOf(stored);
        if (subject != null) {
            referrers.remove(subject.digest(), digest);
        }
        driver.delete(Paths.of(new Paths.ManifestRevisionDir(name, digest)));
    }

    private Descriptor subjectOf(Stored stored) {
        try {
            return ManifestParser.parse(stored.content(), stored.mediaType(), stored.digest().algorithm()).subject();
        } catch (RegistryException e) {
            return null; // a manifest stored by another registry that we cannot read names no subject we indexed
        }
    }

    private String mediaType(Digest digest, byte[] content) throws IOException {
        String declared = ManifestParser.declaredMediaType(content);
        if (declared != null) {
            return declared;
        }
        try {
            return new String(driver.getContent(Paths.of(new Paths.ManifestMediaType(name, digest))), StandardCharsets.UTF_8).trim();
        } catch (StorageDriverException.PathNotFound e) {
            return ManifestParser.sniffMediaType(content);
        }
    }

    private static RegistryException unknown(Digest digest) {
        return new RegistryException(new RegistryError.ManifestUnknown(digest.toString()));
    }
}
