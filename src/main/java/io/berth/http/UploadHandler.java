package io.berth.http;

import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.registry.Blobs;
import io.berth.registry.Repository;
import io.berth.registry.Upload;
import java.io.IOException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /v2/<name>/blobs/uploads/[<id>]}: start (with single-request push and cross-repository
 * mount), status, chunks, completion and cancellation of blob uploads.
 */
final class UploadHandler {

    private static final Pattern CONTENT_RANGE = Pattern.compile("(?:bytes[ =])?(\\d{1,18})-(\\d{1,18})(?:/(?:\\d{1,18}|\\*))?");

    private final UploadStateCodec states;
    /** What comes before {@code /v2/} in a Location: {@code http.host} and {@code http.prefix}. */
    private final String urlBase;
    private final OpenUploads open;

    UploadHandler(UploadStateCodec states, String urlBase, OpenUploads open) {
        this.states = states;
        this.urlBase = urlBase;
        this.open = open;
    }

    void start(Exchange ex, Repository repository, Route.UploadStart route) throws IOException {
        Blobs blobs = repository.blobs();
        String mount = ex.query("mount");
        if (mount != null) {
            Digest digest = Digest.parse(mount);
            String from = ex.query("from");
            Optional<Descriptor> mounted = from == null
                    ? Optional.empty()
                    : blobs.mount(RepositoryName.parse(from), digest);
            if (mounted.isPresent()) {
                created(ex, route.name(), mounted.get());
                return;
            }
        }
        String digest = ex.query("digest");
        if (digest != null && mount == null) {
            created(ex, route.name(), pushWhole(ex, blobs, route.name(), Digest.parse(digest)));
            return;
        }
        String slot = open.reserve(route.name());
        Upload upload;
        try {
            upload = blobs.createUpload();
        } catch (IOException | RuntimeException e) {
            open.close(slot);
            throw e;
        }
        open.bind(slot, upload.id());
        ex.header("OCI-Chunk-Min-Length", 1);
        progress(ex, route.name(), upload, 0, 202);
    }

    /** A blob in one request: a session that holds an upload slot only while the body streams in. */
    private Descriptor pushWhole(Exchange ex, Blobs blobs, RepositoryName name, Digest expected) throws IOException {
        String slot = open.reserve(name);
        try {
            Upload upload = blobs.createUpload();
            try {
                return upload.commit(ex.body(), -1, expected);
            } catch (IOException | RuntimeException e) {
                upload.cancel();
                throw e;
            }
        } finally {
            open.close(slot);
        }
    }

    void status(Exchange ex, Repository repository, Route.Upload route) throws IOException {
        Upload upload = resume(ex, repository, route);
        progress(ex, route.name(), upload, upload.size(), 204);
    }

    void patch(Exchange ex, Repository repository, Route.Upload route) throws IOException {
        Upload upload = resume(ex, repository, route);
        long start = chunkStart(ex);
        long size = withRangeOnConflict(ex, route.name(), upload, () -> upload.append(ex.body(), start));
        progress(ex, route.name(), upload, size, 202);
    }

    void finish(Exchange ex, Repository repository, Route.Upload route) throws IOException {
        Upload upload = resume(ex, repository, route);
        String digest = ex.query("digest");
        if (digest == null) {
            throw new RegistryException(new RegistryError.DigestInvalid("digest missing: finish the upload with PUT ?digest=<digest>"));
        }
        Digest expected = Digest.parse(digest);
        Descriptor stored;
        try {
            long start = chunkStart(ex);
            stored = withRangeOnConflict(ex, route.name(), upload, () -> upload.commit(ex.body(), start, expected));
        } catch (Exchange.ClientBodyException e) {
            // The last request of an upload disagreed with its own length: like a wrong digest,
            // the upload cannot end well, so nothing of it is kept.
            upload.cancel();
            open.close(route.id());
            throw e;
        } catch (RegistryException e) {
            if (e.error() instanceof RegistryError.SizeInvalid) {
                upload.cancel();
            }
            if (e.error() instanceof RegistryError.SizeInvalid || e.error() instanceof RegistryError.DigestInvalid) {
                open.close(route.id());
            }
            throw e;
        }
        open.close(route.id());
        created(ex, route.name(), stored);
    }

    void cancel(Exchange ex, Repository repository, Route.Upload route) throws IOException {
        resume(ex, repository, route).cancel();
        open.close(route.id());
        ex.send(204);
    }

    /**
     * Finds the upload a request names. A {@code _state} token is optional, since the upload's bytes
     * in storage are the truth; when present it must be genuine and about this very upload.
     */
    private Upload resume(Exchange ex, Repository repository, Route.Upload route) throws IOException {
        String id = route.id();
        String token = ex.query("_state");
        if (token != null) {
            UploadStateCodec.UploadState state = states.unpack(token);
            if (!route.name().value().equals(state.name()) || !id.equals(state.uuid())) {
                throw new RegistryException(new RegistryError.BlobUploadInvalid("upload state token belongs to another upload"));
            }
        }
        try {
            Upload upload = repository.blobs().resumeUpload(id);
            open.touch(id);
            return upload;
        } catch (RegistryException e) {
            if (e.error() instanceof RegistryError.BlobUploadUnknown) {
                // Finished elsewhere, or purged: its slot, if it had one here, is free.
                open.close(id);
            }
            throw e;
        }
    }

    /** A step of an upload that may fail because a chunk is out of order. */
    private interface UploadStep<T> {
        T run() throws IOException;
    }

    /** Runs a step; when its chunk is out of order, tells the client where the upload really stands. */
    private <T> T withRangeOnConflict(Exchange ex, RepositoryName name, Upload upload, UploadStep<T> step) throws IOException {
        try {
            return step.run();
        } catch (RegistryException e) {
            if (e.error() instanceof RegistryError.RangeInvalid invalid) {
                rangeHeaders(ex, name, upload, invalid.size());
            }
            throw e;
        }
    }

    /** The start offset a {@code Content-Range} header claims, or -1 without one; its length must match the body's. */
    private static long chunkStart(Exchange ex) {
        String header = ex.header("Content-Range");
        if (header == null) {
            return -1;
        }
        Matcher m = CONTENT_RANGE.matcher(header.trim());
        if (!m.matches()) {
            throw new RegistryException(new RegistryError.RangeInvalid("malformed Content-Range \"" + printable(header) + "\"", -1));
        }
        long first = Long.parseLong(m.group(1));
        long last = Long.parseLong(m.group(2));
        if (last < first) {
            throw new RegistryException(new RegistryError.RangeInvalid("Content-Range ends before it starts", -1));
        }
        long length = ex.contentLength();
        if (length >= 0 && length != last - first + 1) {
            throw new RegistryException(new RegistryError.SizeInvalid(
                    "Content-Range covers " + (last - first + 1) + " bytes but Content-Length is " + length));
        }
        return first;
    }

    private void progress(Exchange ex, RepositoryName name, Upload upload, long size, int status) throws IOException {
        rangeHeaders(ex, name, upload, size);
        ex.send(status);
    }

    private void rangeHeaders(Exchange ex, RepositoryName name, Upload upload, long size) {
        if (size < 0) {
            return;
        }
        String token = states.pack(new UploadStateCodec.UploadState(name.value(), upload.id(), size, upload.startedAt().toString()));
        ex.header("Location", urlBase + "/v2/" + name + "/blobs/uploads/" + upload.id() + "?_state=" + token);
        ex.header("Docker-Upload-UUID", upload.id());
        ex.header("Range", "0-" + Math.max(0, size - 1));
    }

    private void created(Exchange ex, RepositoryName name, Descriptor descriptor) throws IOException {
        ex.header("Location", urlBase + "/v2/" + name + "/blobs/" + descriptor.digest());
        ex.header("Docker-Content-Digest", descriptor.digest().toString());
        ex.send(201);
    }

    private static String printable(String text) {
        return (text.length() > 80 ? text.substring(0, 80) : text).replaceAll("\\p{Cntrl}", "?");
    }
}
