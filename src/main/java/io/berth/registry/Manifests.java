package io.berth.registry;

import java.io.IOException;
import java.util.List;

/** A repository's manifests and the referrers of each. */
public interface Manifests {

    /** The manifest's size and media type, or {@link RegistryError.ManifestUnknown}. */
    Descriptor stat(Digest digest) throws IOException;

    /** The manifest's bytes, or {@link RegistryError.ManifestUnknown}; close it to free its memory. */
    StoredManifest get(Digest digest) throws IOException;

    /** Stores a manifest whose references the repository has, and tags it when {@code tag} is not null. */
    void put(Manifest manifest, Tag tag) throws IOException;

    /** Deletes a manifest and every tag that points at it. */
    void delete(Digest digest) throws IOException;

    /** The manifests whose subject is {@code subject}. */
    List<Referrer> referrers(Digest subject) throws IOException;
}
