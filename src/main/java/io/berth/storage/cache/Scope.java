package io.berth.storage.cache;

import io.berth.registry.RepositoryName;

/**
 * Where a cached descriptor holds: everywhere (the blob's content is stored), or in one set of a
 * repository's links (the repository links the digest there). A repository's layer links and its
 * manifest revisions are separate sets, as they are in storage: the one never answers for the other.
 */
public sealed interface Scope {

    /** The global scope: the content exists, whoever links it. */
    Scope GLOBAL = new Global();

    /** See {@link #GLOBAL}. */
    record Global() implements Scope {}

    /** One repository's links of one kind. */
    record Linked(RepositoryName repository, LinkSet links) implements Scope {
        public Linked {
            if (repository == null || links == null) {
                throw new IllegalArgumentException("a linked scope needs a repository and a link set");
            }
        }
    }

    /** The kinds of links a repository keeps. */
    enum LinkSet {
        /** {@code _layers}: blobs pushed or mounted into the repository. */
        LAYERS,
        /** {@code _manifests/revisions}: manifests pushed to the repository. */
        MANIFESTS
    }

    /** The layer links of a repository. */
    static Scope layers(RepositoryName repository) {
        return new Linked(repository, LinkSet.LAYERS);
    }

    /** The manifest revisions of a repository. */
    static Scope manifests(RepositoryName repository) {
        return new Linked(repository, LinkSet.MANIFESTS);
    }
}
