package io.berth.registry;

/** One repository: its blobs, manifests and tags. */
public interface Repository {

    RepositoryName name();

    Blobs blobs();

    Manifests manifests();

    Tags tags();

    /** A repository made of its parts, as the decorators over the registry put one together. */
    record Parts(RepositoryName name, Blobs blobs, Manifests manifests, Tags tags) implements Repository {}
}
