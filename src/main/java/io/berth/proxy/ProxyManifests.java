package io.berth.proxy;

import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.Manifest;
import io.berth.registry.ManifestMemory;
import io.berth.registry.ManifestParser;
import io.berth.registry.Manifests;
import io.berth.registry.MediaTypes;
import io.berth.registry.Referrer;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.StoredManifest;
import io.berth.registry.Tag;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** A cached repository's manifests: by digest from storage once stored, else fetched, verified and stored first. */
final class ProxyManifests implements Manifests {

    /** Every manifest type a client may want: the cache stores what the upstream has, and negotiates locally. */
    static final String ACCEPT = String.join(", ", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST,
            MediaTypes.DOCKER_MANIFEST);
    /** The largest manifest fetched, as the largest pushed. */
    private static final int MAX_BYTES = 4 * 1024 * 1024;

    private final ProxyRepository.Origin origin;

    ProxyManifests(ProxyRepository.Origin origin) {
        this.origin = origin;
    }

    @Override
    public Descriptor stat(Digest digest) throws IOException {
        try {
            return origin.local().manifests().stat(digest);
        } catch (RegistryException e) {
            if (!(e.error() instanceof RegistryError.ManifestUnknown)) {
                throw e;
            }
        }
        Manifest fetched = fetch(digest.toString(), null);
        return new Descriptor(fetched.digest(), fetched.content().length, fetched.mediaType());
    }

    @Override
    public StoredManifest get(Digest digest) throws IOException {
        try {
            StoredManifest stored = origin.local().manifests().get(digest);
            origin.stats().hit();
            return stored;
        } catch (RegistryException e) {
            if (!(e.error() instanceof RegistryError.ManifestUnknown)) {
                throw e;
            }
        }
        fetch(digest.toString(), null);
        return origin.local().manifests().get(digest);
    }

    /**
     * Fetches a manifest by tag or digest, checks it against the digest asked for or announced, stores
     * it (tagged when {@code tag} is given) and schedules its expiry.
     */
    Manifest fetch(String reference, Tag tag) throws IOException {
        try (RemoteClient.Response response = origin.client().send("GET", origin.path("manifests/" + reference), origin.upstreamName(),
                ACCEPT)) {
            switch (response.status()) {
                case 200 -> {}
                case 401, 403, 404 -> throw new RegistryException(new RegistryError.ManifestUnknown(reference));
                default -> throw origin.unavailable("upstream answered " + response.status() + " for manifest " + reference);
            }
            long length = response.length();
            if (length > MAX_BYTES) {
                throw origin.unavailable("upstream's manifest " + reference + " is larger than " + MAX_BYTES + " bytes");
            }
            ManifestMemory memory = origin.shared().memory();
            try (ManifestMemory.Lease lease = memory.acquire(length >= 0 ? length : MAX_BYTES); InputStream in = response.body()) {
                byte[] content = in.readNBytes(MAX_BYTES + 1);
                if (content.length > MAX_BYTES) {
                    throw origin.unavailable("upstream's manifest " + reference + " is larger than " + MAX_BYTES + " bytes");
                }
                Manifest manifest = verified(content, response.header("Content-Type"), reference, response.header("Docker-Content-Digest"));
                origin.local().cache(manifest, tag);
                origin.stats().miss();
                origin.stats().fetched(content.length);
                origin.shared().expiry().schedule(origin.name(), manifest.digest(), true, content.length, origin.upstream().remote().ttl());
                return manifest;
            }
        } catch (RemoteClient.Unavailable e) {
            throw origin.unavailable(e.getMessage());
        }
    }

    /** The manifest, parsed, when it hashes to the digest asked for and the one the upstream announced. */
    private Manifest verified(byte[] content, String contentType, String reference, String announced) {
        Digest.Algorithm algorithm = reference.contains(":") ? Digest.parse(reference).algorithm() : Digest.Algorithm.SHA256;
        Manifest manifest;
        try {
            manifest = ManifestParser.parse(content, contentType, algorithm);
        } catch (RegistryException e) {
            throw origin.unavailable("upstream's manifest " + reference + " is not one Berth can serve: " + e.getMessage());
        }
        String expected = reference.contains(":") ? reference : announced;
        if (expected != null && expected.startsWith(algorithm.prefix() + ":") && !expected.equals(manifest.digest().toString())) {
            throw origin.unavailable("upstream's manifest " + reference + " hashes to " + manifest.digest() + ", not " + expected);
        }
        return manifest;
    }

    @Override
    public void put(Manifest manifest, Tag tag) {
        throw ProxyRepository.readOnly();
    }

    @Override
    public void delete(Digest digest) {
        throw ProxyRepository.readOnly();
    }

    /** The referrers among what is cached. */
    @Override
    public List<Referrer> referrers(Digest subject) throws IOException {
        return origin.local().manifests().referrers(subject);
    }
}
