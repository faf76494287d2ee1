package io.berth.http;

import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.Blobs;
import io.berth.registry.Repository;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.ReadableByteChannel;
import java.util.Optional;

/** {@code /v2/<name>/blobs/<digest>}: pull (GET, HEAD, with single ranges) and delete. */
final class BlobHandler {

    private final boolean deleteEnabled;
    private final boolean redirects;

    BlobHandler(boolean deleteEnabled, boolean redirects) {
        this.deleteEnabled = deleteEnabled;
        this.redirects = redirects;
    }

    void get(Exchange ex, Repository repository, Route.Blob route) throws IOException {
        Digest digest = Digest.parse(route.digest());
        Blobs blobs = repository.blobs();
        Descriptor descriptor = blobs.stat(digest);
        String etag = '"' + digest.toString() + '"';
        ex.header("Docker-Content-Digest", digest.toString());
        ex.header("ETag", etag);
        ex.header("Accept-Ranges", "bytes");
        ex.header("Cache-Control", "max-age=31536000");
        ex.header("Content-Type", Descriptor.OCTET_STREAM);
        if (etag.equals(ex.header("If-None-Match"))) {
            ex.send(304);
            return;
        }
        if (redirects && !ex.isHead()) {
            // As Distribution: the client fetches the bytes, ranges included, from the storage itself.
            Optional<URI> location = blobs.redirect(descriptor);
            if (location.isPresent()) {
                ex.header("Location", location.get().toString());
                ex.send(307);
                return;
            }
        }
        long size = descriptor.size();
        ByteRange range = switch (ByteRange.parse(ex.header("Range"), size)) {
            case ByteRange.Whole w -> null;
            case ByteRange.Partial p -> p.range();
            case ByteRange.Unsatisfiable u -> {
                ex.header("Content-Range", "bytes */" + size);
                throw new RegistryException(new RegistryError.RangeInvalid("requested range not satisfiable for a blob of " + size + " bytes", size));
            }
        };
        long first = range == null ? 0 : range.first();
        long length = range == null ? size : range.length();
        if (range != null) {
            ex.header("Content-Range", "bytes " + range.first() + "-" + range.last() + "/" + size);
        }
        int status = range == null ? 200 : 206;
        ex.status(status);
        ex.header("Content-Length", length);
        if (ex.isHead()) {
            ex.send(status);
            return;
        }
        try (ReadableByteChannel in = blobs.open(descriptor, first)) {
            ex.stream(in, length);
        }
    }

    void delete(Exchange ex, Repository repository, Route.Blob route) throws IOException {
        if (!deleteEnabled) {
            throw new RegistryException(new RegistryError.Unsupported("deletes are disabled in this registry"));
        }
        Digest digest = Digest.parse(route.digest());
        repository.blobs().delete(digest);
        ex.header("Docker-Content-Digest", digest.toString());
        ex.send(202);
    }
}
