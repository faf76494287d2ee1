package io.berth.http;

import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.Manifest;
import io.berth.registry.ManifestParser;
import io.berth.registry.MediaTypes;
import io.berth.registry.Reference;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.Tag;
import io.berth.registry.ManifestMemory;
import io.berth.registry.Repository;
import io.berth.registry.StoredManifest;
import java.io.IOException;
import java.util.List;

/** {@code /v2/<name>/manifests/<reference>}: pull, push and delete manifests by tag or digest. */
final class ManifestHandler {

    /** The largest manifest accepted, as in Distribution. */
    static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
    /** Memory a push holds per byte of its body at its peak: the body, the JDK's buffers it was read into, the parser's text. */
    private static final int PARSE_FACTOR = 4;

    private final ManifestMemory memory;
    private final boolean deleteEnabled;
    /** What comes before {@code /v2/} in a Location: {@code http.host} and {@code http.prefix}. */
    private final String urlBase;

    ManifestHandler(ManifestMemory memory, boolean deleteEnabled, String urlBase) {
        this.memory = memory;
        this.deleteEnabled = deleteEnabled;
        this.urlBase = urlBase;
    }

    void get(Exchange ex, Repository repository, Route.Manifest route) throws IOException {
        Digest digest = switch (existing(route.reference())) {
            case Tag tag -> repository.tags().resolve(tag);
            case Digest d -> d;
        };
        if (ex.isHead()) {
            // A HEAD needs only the descriptor, which the cache may hold: no storage read at all then.
            Descriptor descriptor = repository.manifests().stat(digest);
            if (acceptedAsIs(ex, descriptor.mediaType())) {
                String etag = '"' + digest.toString() + '"';
                ex.header("Content-Type", descriptor.mediaType());
                ex.header("Docker-Content-Digest", digest.toString());
                ex.header("ETag", etag);
                if (etag.equals(ex.header("If-None-Match"))) {
                    ex.send(304);
                    return;
                }
                ex.header("Content-Length", descriptor.size());
                ex.send(200);
                return;
            }
        }
        try (StoredManifest manifest = negotiate(ex, repository, repository.manifests().get(digest))) {
            String etag = '"' + manifest.digest().toString() + '"';
            ex.header("Content-Type", manifest.mediaType());
            ex.header("Docker-Content-Digest", manifest.digest().toString());
            ex.header("ETag", etag);
            if (etag.equals(ex.header("If-None-Match"))) {
                ex.send(304);
                return;
            }
            ex.sendBytes(200, manifest.content());
        }
    }

    void put(Exchange ex, Repository repository, Route.Manifest route) throws IOException {
        Reference reference = Reference.parse(route.reference());
        Manifest manifest;
        // A slow body pins only its own size; the parse's share is taken once the body is in.
        long length = ex.contentLength() >= 0 ? Math.min(ex.contentLength(), MAX_MANIFEST_BYTES) : MAX_MANIFEST_BYTES;
        try (ManifestMemory.Lease lease = memory.acquire(length)) {
            byte[] content = ex.readBody(MAX_MANIFEST_BYTES);
            lease.grow(PARSE_FACTOR * (long) content.length - length);
            Digest.Algorithm algorithm = reference instanceof Digest d ? d.algorithm() : Digest.Algorithm.SHA256;
            manifest = ManifestParser.parse(content, ex.header("Content-Type"), algorithm);
            if (reference instanceof Digest expected && !expected.equals(manifest.digest())) {
                throw new RegistryException(new RegistryError.DigestInvalid(
                        "the manifest was pushed as " + expected + " but its content hashes to " + manifest.digest()));
            }
            repository.manifests().put(manifest, reference instanceof Tag tag ? tag : null);
        }
        ex.header("Location", urlBase + "/v2/" + route.name() + "/manifests/" + manifest.digest());
        ex.header("Docker-Content-Digest", manifest.digest().toString());
        if (manifest.subject() != null) {
            ex.header("OCI-Subject", manifest.subject().digest().toString());
        }
        ex.send(201);
    }

    void delete(Exchange ex, Repository repository, Route.Manifest route) throws IOException {
        if (!deleteEnabled) {
            throw new RegistryException(new RegistryError.Unsupported("deletes are disabled in this registry"));
        }
        switch (existing(route.reference())) {
            case Tag tag -> repository.tags().delete(tag);
            case Digest digest -> repository.manifests().delete(digest);
        }
        ex.send(202);
    }

    /**
     * What a GET, HEAD or DELETE names. A reference that is neither a tag nor a digest can name no
     * stored manifest, so it is unknown (404), as the OCI conformance suite expects; only a push
     * with one is a client error (400).
     */
    private static Reference existing(String reference) {
        try {
            return Reference.parse(reference);
        } catch (RegistryException e) {
            if (e.error() instanceof RegistryError.TagInvalid || e.error() instanceof RegistryError.DigestInvalid) {
                throw new RegistryException(new RegistryError.ManifestUnknown("the reference is neither a valid tag nor a digest"));
            }
            throw e;
        }
    }

    /**
     * Honours the Accept header as Distribution does: a manifest of a type the client did not ask
     * for is unknown to it, except that a Docker manifest list is replaced by its linux/amd64 image
     * for a client that takes only Docker images. No Accept header takes anything.
     */
    private static StoredManifest negotiate(Exchange ex, Repository repository, StoredManifest manifest) throws IOException {
        if (acceptedAsIs(ex, manifest.mediaType())) {
            return manifest;
        }
        List<String> accepted = ex.headerValues("Accept").stream().map(MediaTypes::bare).toList();
        try (manifest) {
            if (manifest.mediaType().equals(MediaTypes.DOCKER_MANIFEST_LIST) && accepts(accepted, MediaTypes.DOCKER_MANIFEST)) {
                Digest amd64 = linuxAmd64(manifest.content());
                if (amd64 != null) {
                    manifest.close(); // before the child is read, so that one request holds one manifest at a time
                    return repository.manifests().get(amd64);
                }
            }
        }
        throw new RegistryException(new RegistryError.ManifestUnknown(
                "the manifest is " + manifest.mediaType() + ", which the request's Accept header does not allow"));
    }

    private static Digest linuxAmd64(byte[] index) {
        for (var child : ManifestParser.platforms(index)) {
            if (child.getValue().equals("linux/amd64")) {
                return child.getKey().digest();
            }
        }
        return null;
    }

    /** True when the request takes a manifest of this type as it is (no Accept header takes anything). */
    private static boolean acceptedAsIs(Exchange ex, String mediaType) {
        List<String> accepted = ex.headerValues("Accept").stream().map(MediaTypes::bare).toList();
        return accepted.isEmpty() || accepts(accepted, mediaType);
    }

    private static boolean accepts(List<String> accepted, String mediaType) {
        String family = mediaType.substring(0, mediaType.indexOf('/') + 1) + "*";
        return accepted.contains(mediaType) || accepted.contains("*/*") || accepted.contains(family);
    }
}
