package io.berth.proxy;

import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.Repository;
import io.berth.registry.RepositoryName;
import io.berth.storage.RepositoryStore;

/**
 * One repository of the cache: what is stored locally under {@code name}, filled from the upstream's
 * repository {@code upstreamName} on demand.
 */
final class ProxyRepository {

    private ProxyRepository() {}

    static Repository of(RepositoryName name, RepositoryStore local, ProxyNamespace.Upstream upstream, String upstreamName,
            ProxyNamespace.Shared shared) {
        Origin origin = new Origin(name, local, upstream, upstreamName, shared);
        ProxyManifests manifests = new ProxyManifests(origin);
        return new Repository.Parts(name, new ProxyBlobs(origin), manifests, new ProxyTags(origin, manifests));
    }

    /** Where a repository's content comes from and goes to, shared by its blobs, manifests and tags. */
    record Origin(RepositoryName name, RepositoryStore local, ProxyNamespace.Upstream upstream, String upstreamName,
            ProxyNamespace.Shared shared) {

        RemoteClient client() {
            return upstream.client();
        }

        ProxyStats stats() {
            return upstream.stats();
        }

        /** The upstream path of something in the repository, e.g. {@code manifests/latest}. */
        String path(String rest) {
            return "/v2/" + upstreamName + "/" + rest;
        }

        /** The upstream failed: counted, and answered 502 unless the caller has something cached. */
        RegistryException unavailable(String message) {
            upstream.stats().error();
            return new RegistryException(new RegistryError.UpstreamUnavailable(message));
        }
    }

    /** Pushes and deletes go to the upstream, not to its cache. */
    static RegistryException readOnly() {
        return new RegistryException(new RegistryError.Unsupported(
                "this registry is a pull-through cache: push to and delete from the upstream registry instead"));
    }
}
