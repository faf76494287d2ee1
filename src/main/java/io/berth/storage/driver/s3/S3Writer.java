package io.berth.storage.driver.s3;

import io.berth.storage.driver.FileWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Writes one file as parts of a multipart upload, {@link S3Driver#partSize()} bytes each. Closing
 * sends what is buffered as a last part and leaves the upload open, so a later writer, in this
 * process or another, continues it; commit completes it, cancel aborts it. A file that fits in one
 * part never needs an upload: it is written as a plain object.
 *
 * <p>S3 accepts a part below 5 MiB only as the last one, and cannot read back the parts of an open
 * upload. So before adding to an upload whose last part is that small, the writer completes it into
 * an object and starts over from that object: copied into the first part of a new upload when it is
 * big enough, else read back into the buffer. Not for concurrent use, like any stream.
 */
final class S3Writer extends FileWriter {

    private final S3Driver driver;
    private final String path;
    private final String key;
    private final int partSize;

    /** The upload holding this file's parts, or null while everything fits in the buffer. */
    private String uploadId;
    private final List<S3Driver.Part> parts = new ArrayList<>();
    private long partsSize;
    /** An object this writer appends to and has not taken over into its own upload or buffer yet. */
    private long baseSize;
    /** The upload's last part, sent by an earlier writer, is below the minimum: no part may follow it as it is. */
    private boolean smallTail;
    /** An older object at the key that this writer's upload replaces, deleted once the upload holds everything. */
    private boolean replacesObject;
    /** Nothing of the file is stored yet, so even an empty writer must leave an empty file. */
    private boolean create;

    private byte[] buffer = new byte[0];
    private int buffered;
    private boolean closed;
    private boolean committed;

    private S3Writer(S3Driver driver, String path, String key) {
        this.driver = driver;
        this.path = path;
        this.key = key;
        this.partSize = driver.partSize();
    }

    /** A writer that replaces whatever is at the key. */
    static S3Writer truncating(S3Driver driver, String path, String key) {
        S3Writer writer = new S3Writer(driver, path, key);
        writer.create = true;
        writer.replacesObject = true;
        return writer;
    }

    /** A writer of a new file. */
    static S3Writer creating(S3Driver driver, String path, String key) {
        S3Writer writer = new S3Writer(driver, path, key);
        writer.create = true;
        return writer;
    }

    /** A writer that continues an open upload left by an earlier writer. */
    static S3Writer continuing(S3Driver driver, String path, String key, String uploadId, List<S3Driver.Part> parts) {
        S3Writer writer = new S3Writer(driver, path, key);
        writer.uploadId = uploadId;
        writer.parts.addAll(parts);
        writer.partsSize = S3Driver.total(parts);
        writer.smallTail = parts.getLast().size() < S3Settings.MIN_CHUNK_SIZE;
        return writer;
    }

    /** A writer that appends to a whole object. */
    static S3Writer appending(S3Driver driver, String path, String key, long size) {
        S3Writer writer = new S3Writer(driver, path, key);
        writer.baseSize = size;
        return writer;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        ensureWritable();
        if (length == 0) {
            return;
        }
        try {
            takeOver();
            while (length > 0) {
                int n = Math.min(length, partSize - buffered);
                reserve(buffered + n);
                System.arraycopy(bytes, offset, buffer, buffered, n);
                buffered += n;
                offset += n;
                length -= n;
                if (buffered == partSize) {
                    sendPart();
                }
            }
        } catch (SdkException e) {
            throw S3Driver.failure(e);
        }
    }

    @Override
    public long size() {
        return baseSize + partsSize + buffered;
    }

    /** Sends the rest and completes the upload: the file is whole and readable. */
    @Override
    public void commit() throws IOException {
        ensureWritable();
        try {
            if (uploadId != null) {
                if (buffered > 0) {
                    sendPart();
                }
                driver.complete(key, uploadId, parts);
            } else if (buffered > 0 || create) {
                driver.putObject(key, buffer, buffered);
            }
            // else: an object appended nothing, or an upload merged nothing; already as it should be
        } catch (SdkException e) {
            throw S3Driver.failure(e);
        }
        committed = true;
        buffer = null;
    }

    /** Aborts the upload and deletes the file, with what it held before an append. */
    @Override
    public void cancel() throws IOException {
        closed = true;
        buffer = null;
        try {
            if (uploadId != null) {
                driver.abort(key, uploadId);
            }
            driver.deleteObject(key);
        } catch (SdkException e) {
            throw S3Driver.failure(e);
        }
    }

    /** Sends what is buffered and leaves the upload open for a later append. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (committed) {
            return;
        }
        try {
            if (uploadId != null && buffered > 0) {
                sendPart(); // maybe small: the next writer that adds to it merges it first
            } else if (uploadId == null && (buffered > 0 || create)) {
                driver.putObject(key, buffer, buffered);
            }
        } catch (SdkException e) {
            throw S3Driver.failure(e);
        } finally {
            buffer = null;
        }
    }

    /** Before the first new byte: turns what earlier writers stored into parts this writer may add to. */
    private void takeOver() throws IOException {
        if (smallTail) {
            driver.complete(key, uploadId, parts);
            baseSize = partsSize;
            uploadId = null;
            parts.clear();
            partsSize = 0;
            smallTail = false;
        }
        if (baseSize == 0) {
            return;
        }
        if (baseSize < S3Settings.MIN_CHUNK_SIZE) {
            byte[] old = driver.readObject(key);
            if (old.length != baseSize) {
                throw new IOException("S3: " + path + " changed while being appended to");
            }
            reserve(old.length);
            System.arraycopy(old, 0, buffer, 0, old.length);
            buffered = old.length;
            replacesObject = true;
        } else {
            String id = driver.createUpload(key);
            try {
                parts.addAll(driver.copyParts(key, baseSize, key, id, 1));
            } catch (IOException | RuntimeException e) {
                driver.abortQuietly(key, id, e);
                throw e;
            }
            uploadId = id;
            partsSize = baseSize;
            // The upload holds the object's bytes now; with both present a later writer keeps the upload.
            driver.deleteObject(key);
        }
        baseSize = 0;
    }

    private void sendPart() {
        if (uploadId == null) {
            uploadId = driver.createUpload(key);
        }
        int number = parts.isEmpty() ? 1 : parts.getLast().number() + 1;
        parts.add(driver.uploadPart(key, uploadId, number, buffer, buffered));
        partsSize += buffered;
        buffered = 0;
        create = false;
        if (replacesObject) {
            driver.deleteObject(key);
            replacesObject = false;
        }
    }

    private void reserve(int capacity) {
        if (capacity > buffer.length) {
            // Grow by doubling up to a part: small files stay small in memory.
            int size = Math.max(capacity, Math.min(partSize, Math.max(64 * 1024, buffer.length * 2)));
            buffer = Arrays.copyOf(buffer, size);
        }
    }

    private void ensureWritable() throws IOException {
        if (closed) {
            throw new IOException("writer is closed: " + path);
        }
        if (committed) {
            throw new IOException("writer is committed: " + path);
        }
    }
}
