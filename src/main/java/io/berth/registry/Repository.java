package io.berth.registry;

/** One repository: its blobs, manifests and tags. */
public interface Repository {

    RepositoryName name();

    Blobs blobs();

    Manifests manifests();

    Tags tags();
}
