package io.berth.storage;

import io.berth.registry.Descriptor;
import io.berth.registry.ChunkedBody;
import io.berth.registry.Digest;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.Upload;
import io.berth.storage.driver.FileWriter;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Instant;

/**
 * One upload session of a repository: bytes stream into {@code _uploads/<id>/data} while being
 * hashed; {@link #commit} verifies them against the client's digest, moves them into the global
 * store and links them into the repository.
 */
public final class BlobUpload implements Upload {

    private static final int BUFFER = 64 * 1024;

    private final LinkedBlobStore repository;
    private final StorageDriver driver;
    private final UploadSessions sessions;
    private final UploadId id;
    private final Instant startedAt;

    BlobUpload(LinkedBlobStore repository, StorageDriver driver, UploadSessions sessions, UploadId id, Instant startedAt) {
        this.repository = repository;
        this.driver = driver;
        this.sessions = sessions;
        this.id = id;
        this.startedAt = startedAt;
    }

    @Override
    public String id() {
        return id.value();
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    /** Bytes received so far. */
    @Override
    public long size() throws IOException {
        UploadSessions.Session session = sessions.acquire(id);
        try {
            open(session);
            align(session, storedSize());
            return session.offset;
        } finally {
            session.lock.unlock();
        }
    }

    /**
     * Appends a chunk. With {@code expectedStart >= 0} the chunk must begin where the upload ends
     * ({@link RegistryError.RangeInvalid} otherwise). Returns the new size. When the storage is too
     * full for the chunk the whole upload is removed, so that no partial chunk is left in it, and
     * the error is {@link RegistryError.InsufficientStorage}.
     */
    @Override
    public long append(InputStream chunk, long expectedStart) throws IOException {
        UploadSessions.Session session = sessions.acquire(id);
        try {
            open(session);
            try (FileWriter writer = driver.writer(data(), true)) {
                align(session, writer.size());
                checkStart(session, expectedStart);
                write(chunk, writer, session);
            } catch (StorageDriverException.StorageFull e) {
                cancelLocked(session);
                throw NoSpace.error(e);
            } catch (StorageDriverException.Busy e) {
                throw busy(e);
            }
            return session.offset;
        } finally {
            session.lock.unlock();
        }
    }

    /**
     * Appends a last chunk (checked like {@link #append}), makes the data durable, verifies it
     * against {@code expected} and moves it into place. A mismatch cancels the upload and is
     * {@link RegistryError.DigestInvalid}; a storage too full removes it as {@link #append} does.
     */
    @Override
    public Descriptor commit(InputStream lastChunk, long expectedStart, Digest expected) throws IOException {
        UploadSessions.Session session = sessions.acquire(id);
        try {
            open(session);
            try (FileWriter writer = driver.writer(data(), true)) {
                align(session, writer.size());
                checkStart(session, expectedStart);
                write(lastChunk, writer, session);
                writer.commit();
            } catch (StorageDriverException.Busy e) {
                throw busy(e);
            }
            long size = session.offset;
            // The live hash when it saw every byte; else the data is read back once, now that it is whole.
            Digest actual = expected.algorithm() == Digest.Algorithm.SHA256 && session.hasher != null
                    ? Digest.of(Digest.Algorithm.SHA256, session.hasher)
                    : hashStored(expected.algorithm());
            session.hasher = null;
            if (!actual.equals(expected)) {
                cancelLocked(session);
                throw new RegistryException(new RegistryError.DigestInvalid(
                        "digest did not match content: the client named " + expected + " but the " + size
                                + " bytes received hash to " + actual));
            }
            Descriptor descriptor = Descriptor.of(expected, size);
            repository.store(descriptor, data());
            cancelLocked(session);
            return descriptor;
        } catch (StorageDriverException.StorageFull e) {
            cancelLocked(session);
            throw NoSpace.error(e);
        } finally {
            session.lock.unlock();
        }
    }

    /** Abandons the upload and removes everything it stored. */
    @Override
    public void cancel() throws IOException {
        UploadSessions.Session session = sessions.acquire(id);
        try {
            // Not open(): cancelling an upload whose folder is gone already is harmless.
            if (session.finished) {
                throw unknown();
            }
            cancelLocked(session);
        } finally {
            session.lock.unlock();
        }
    }

    private static void checkStart(UploadSessions.Session session, long expectedStart) {
        if (expectedStart >= 0 && expectedStart != session.offset) {
            throw new RegistryException(new RegistryError.RangeInvalid(
                    "chunk starts at " + expectedStart + " but the upload has " + session.offset + " bytes", session.offset));
        }
    }

    /** The driver ran out of write buffers: the client may try again later, the upload as it was. */
    static RegistryException busy(StorageDriverException.Busy e) {
        return new RegistryException(new RegistryError.TooManyRequests(e.getMessage(), e.retryAfter()));
    }

    private void cancelLocked(UploadSessions.Session session) throws IOException {
        try {
            repository.removeUpload(id);
        } finally {
            // Only once storage is cleared: until then a new request for the upload waits on this session's lock.
            sessions.finish(id, session);
        }
    }

    private void write(InputStream chunk, FileWriter writer, UploadSessions.Session session) throws IOException {
        MessageDigest hasher = session.hasher;
        try {
            if (chunk instanceof ChunkedBody pieces) {
                // Straight from the network's buffers: nothing of the upload's own stays on the heap between pieces.
                pieces.forEachChunk(piece -> {
                    int n = piece.remaining();
                    if (hasher != null) {
                        hasher.update(piece.duplicate());
                    }
                    writer.write(piece);
                    session.offset += n;
                });
                return;
            }
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = chunk.read(buffer)) != -1; ) {
                if (hasher != null) {
                    hasher.update(buffer, 0, n);
                }
                writer.write(buffer, 0, n);
                session.offset += n;
            }
        } catch (IOException | RuntimeException e) {
            // What reached storage is unknown now; the next request takes the stored size as it finds it.
            session.hasher = null;
            throw e;
        }
    }

    /**
     * Checks, holding the upload's lock, that it is still there: a request that waited on the lock
     * while another finished or cancelled the upload must not write into its removed folder.
     */
    private void open(UploadSessions.Session session) throws IOException {
        if (session.finished) {
            throw unknown();
        }
        try {
            driver.stat(Paths.of(new Paths.UploadStartedAt(repository.name(), id)));
        } catch (StorageDriverException.PathNotFound e) {
            throw unknown();
        }
    }

    private RegistryException unknown() {
        return new RegistryException(new RegistryError.BlobUploadUnknown(id.value()));
    }

    /**
     * Brings the session in line with the upload's size in storage. When the live hash is not of
     * exactly those bytes (a restart, another replica wrote to the upload), it is dropped rather than
     * rebuilt by reading them: on S3 the bytes of an unfinished upload cannot be read, and the
     * commit reads the finished data once instead.
     */
    private static void align(UploadSessions.Session session, long stored) {
        if (session.hasher != null && session.offset == stored) {
            return;
        }
        session.hasher = stored == 0 ? Digest.Algorithm.SHA256.newHasher() : null;
        session.offset = stored;
    }

    private long storedSize() throws IOException {
        try {
            return driver.stat(data()).size();
        } catch (StorageDriverException.PathNotFound e) {
            return 0;
        }
    }

    private Digest hashStored(Digest.Algorithm algorithm) throws IOException {
        MessageDigest hasher = algorithm.newHasher();
        try (InputStream in = driver.reader(data(), 0)) {
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = in.read(buffer)) != -1; ) {
                hasher.update(buffer, 0, n);
            }
        }
        return Digest.of(algorithm, hasher);
    }

    private String data() {
        return Paths.of(new Paths.UploadData(repository.name(), id));
    }
}
