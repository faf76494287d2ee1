package io.berth.proxy;

import io.berth.registry.Blobs;
import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.registry.Upload;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.ReadableByteChannel;
import java.util.Optional;

/** A cached repository's blobs: served from storage when there, else fetched once and streamed while they are stored. */
final class ProxyBlobs implements Blobs {

    private final ProxyRepository.Origin origin;

    ProxyBlobs(ProxyRepository.Origin origin) {
        this.origin = origin;
    }

    @Override
    public Descriptor stat(Digest digest) throws IOException {
        Descriptor local = local(digest);
        if (local != null) {
            return local;
        }
        BlobFetch fetch = origin.shared().fetches().current(key(digest));
        if (fetch != null) {
            return fetch.descriptor();
        }
        try (RemoteClient.Response response = origin.client().send("HEAD", origin.path("blobs/" + digest), origin.upstreamName(), null)) {
            return switch (response.status()) {
                case 200 -> {
                    if (response.length() < 0) {
                        throw origin.unavailable("upstream " + origin.upstream().remote().label() + " gave no size for " + digest);
                    }
                    yield Descriptor.of(digest, response.length());
                }
                case 401, 403, 404 -> throw new RegistryException(new RegistryError.BlobUnknown(digest));
                default -> throw origin.unavailable("upstream answered " + response.status() + " for blob " + digest);
            };
        } catch (RemoteClient.Unavailable e) {
            throw origin.unavailable(e.getMessage());
        }
    }

    /** The blob as stored locally, or null. */
    private Descriptor local(Digest digest) throws IOException {
        try {
            return origin.local().blobs().stat(digest);
        } catch (RegistryException e) {
            if (e.error() instanceof RegistryError.BlobUnknown) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public ReadableByteChannel open(Descriptor descriptor, long offset) throws IOException {
        if (local(descriptor.digest()) != null) {
            origin.stats().hit();
            return origin.local().blobs().open(descriptor, offset);
        }
        BlobFetches.Key key = key(descriptor.digest());
        BlobFetch fetch = origin.shared().fetches().join(key, descriptor, started -> start(key, started));
        ReadableByteChannel reader = fetch.reader(offset);
        if (reader != null) {
            return reader;
        }
        // The fetch ended between join and read: stored by now, or failed.
        if (local(descriptor.digest()) != null) {
            return origin.local().blobs().open(descriptor, offset);
        }
        throw origin.unavailable("the download of " + descriptor.digest() + " from the upstream failed");
    }

    /** Asks the upstream for the blob and, once it answers, copies it on a thread of its own. */
    private void start(BlobFetches.Key key, BlobFetch fetch) throws IOException {
        Digest digest = fetch.descriptor().digest();
        RemoteClient.Response response;
        try {
            response = origin.client().send("GET", origin.path("blobs/" + digest), origin.upstreamName(), null);
        } catch (RemoteClient.Unavailable e) {
            throw origin.unavailable(e.getMessage());
        }
        if (response.status() != 200 || (response.length() >= 0 && response.length() != fetch.descriptor().size())) {
            response.close();
            if (response.status() == 404) {
                throw new RegistryException(new RegistryError.BlobUnknown(digest));
            }
            throw origin.unavailable("upstream answered " + response.status() + " with " + response.length() + " bytes for blob "
                    + digest + " of " + fetch.descriptor().size());
        }
        Upload upload;
        try {
            upload = origin.local().blobs().createUpload();
        } catch (IOException | RuntimeException e) {
            response.close();
            throw e;
        }
        origin.stats().miss();
        Thread.ofVirtual().name("proxy-fetch").start(() -> copy(key, fetch, response, upload));
    }

    private void copy(BlobFetches.Key key, BlobFetch fetch, RemoteClient.Response response, Upload upload) {
        Descriptor descriptor = fetch.descriptor();
        try (response; InputStream body = response.body()) {
            fetch.copy(body, upload);
            origin.stats().fetched(descriptor.size());
            origin.shared().expiry().schedule(origin.name(), descriptor.digest(), false, descriptor.size(),
                    origin.upstream().remote().ttl());
        } catch (IOException | RuntimeException e) {
            origin.stats().error();
            fetch.fail("the download of " + descriptor.digest() + " from the upstream failed: " + e.getMessage());
            try {
                upload.cancel();
            } catch (IOException | RuntimeException ignored) {
                // a committed or half-written upload; the purger removes what is left
            }
        } finally {
            origin.shared().fetches().done(key, fetch);
        }
    }

    private BlobFetches.Key key(Digest digest) {
        return new BlobFetches.Key(origin.name(), digest);
    }

    @Override
    public Optional<URI> redirect(Descriptor descriptor) throws IOException {
        return local(descriptor.digest()) != null ? origin.local().blobs().redirect(descriptor) : Optional.empty();
    }

    @Override
    public void delete(Digest digest) {
        throw ProxyRepository.readOnly();
    }

    @Override
    public Optional<Descriptor> mount(RepositoryName from, Digest digest) {
        throw ProxyRepository.readOnly();
    }

    @Override
    public Upload createUpload() {
        throw ProxyRepository.readOnly();
    }

    @Override
    public Upload resumeUpload(String id) {
        throw ProxyRepository.readOnly();
    }
}
