package io.berth.storage.driver.s3;

import io.berth.storage.driver.FileWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes one file as parts of a multipart upload, {@link S3Driver#partSize()} bytes each. Closing
 * sends what is buffered as a last part and leaves the upload open, so a later writer, in this
 * process or another, continues it; commit completes it, cancel aborts it. A file that fits in one
 * part never needs an upload: it is written as a plain object.
 *
 * <p>S3 accepts a part below 5 MiB only as the last one, and cannot read back the parts of an open
 * upload. So before adding to an upload whose last part is that small, the writer completes it into
 * an object and starts over from that object: copied into the first part of a new upload when it is
 * big enough, else read back into the buffer. The part is gathered in a {@link PartBuffer} the writer
 * takes from the driver's pool when it opens and gives back when it ends, whichever way it ends.
 * Not for concurrent use, like any stream.
 */
final class S3Writer extends FileWriter {

    private final S3Driver driver;
    private final Bucket bucket;
    private final String path;
    private final String key;
    private final PartBuffer part;

    /** The upload holding this file's parts, or null while everything fits in the buffer. */
    private String uploadId;
    private final List<Bucket.Part> parts = new ArrayList<>();
    private long partsSize;
    /** An object this writer appends to and has not taken over into its own upload or buffer yet. */
    private long baseSize;
    /** The upload's last part, sent by an earlier writer, is below the minimum: no part may follow it as it is. */
    private boolean smallTail;
    /** An older object at the key that this writer's upload replaces, deleted once the upload holds everything. */
    private boolean replacesObject;
    /** Nothing of the file is stored yet, so even an empty writer must leave an empty file. */
    private boolean create;

    private boolean closed;
    private boolean committed;

    private S3Writer(S3Driver driver, String path, String key) throws IOException {
        this.driver = driver;
        this.bucket = driver.bucket();
        this.path = path;
        this.key = key;
        this.part = driver.partPool().take(path);
    }

    /** A writer that replaces whatever is at the key. */
    static S3Writer truncating(S3Driver driver, String path, String key) throws IOException {
        S3Writer writer = new S3Writer(driver, path, key);
        writer.create = true;
        writer.replacesObject = true;
        return writer;
    }

    /** A writer of a new file. */
    static S3Writer creating(S3Driver driver, String path, String key) throws IOException {
        S3Writer writer = new S3Writer(driver, path, key);
        writer.create = true;
        return writer;
    }

    /** A writer that continues an open upload left by an earlier writer. */
    static S3Writer continuing(S3Driver driver, String path, String key, String uploadId, List<Bucket.Part> parts)
            throws IOException {
        S3Writer writer = new S3Writer(driver, path, key);
        writer.uploadId = uploadId;
        writer.parts.addAll(parts);
        writer.partsSize = S3Driver.total(parts);
        writer.smallTail = parts.getLast().size() < S3Settings.MIN_CHUNK_SIZE;
        return writer;
    }

    /** A writer that appends to a whole object. */
    static S3Writer appending(S3Driver driver, String path, String key, long size) throws IOException {
        S3Writer writer = new S3Writer(driver, path, key);
        writer.baseSize = size;
        return writer;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        write(ByteBuffer.wrap(bytes, offset, length));
    }

    /** Network buffers go into the part as they are, with no copy in between. */
    @Override
    public void write(ByteBuffer bytes) throws IOException {
        ensureWritable();
        if (!bytes.hasRemaining()) {
            return;
        }
        takeOver();
        while (bytes.hasRemaining()) {
            int n = (int) Math.min(bytes.remaining(), part.room());
            part.write(bytes.slice(bytes.position(), n));
            bytes.position(bytes.position() + n);
            if (part.room() == 0) {
                sendPart();
            }
        }
    }

    @Override
    public long size() {
        return baseSize + partsSize + part.size();
    }

    /** Sends the rest and completes the upload: the file is whole and readable. */
    @Override
    public void commit() throws IOException {
        ensureWritable();
        if (uploadId != null) {
            if (part.size() > 0) {
                sendPart();
            }
            bucket.complete(key, uploadId, parts);
        } else if (part.size() > 0 || create) {
            bucket.put(key, part.content());
        }
        // else: an object appended nothing, or an upload merged nothing; already as it should be
        committed = true;
        part.close();
    }

    /** Aborts the upload and deletes the file, with what it held before an append. */
    @Override
    public void cancel() throws IOException {
        closed = true;
        part.close();
        if (uploadId != null) {
            bucket.abort(key, uploadId);
        }
        bucket.delete(key);
    }

    /** Sends what is buffered and leaves the upload open for a later append. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (committed) {
                return;
            }
            if (uploadId != null && part.size() > 0) {
                sendPart(); // maybe small: the next writer that adds to it merges it first
            } else if (uploadId == null && (part.size() > 0 || create)) {
                bucket.put(key, part.content());
            }
        } finally {
            part.close();
        }
    }

    /** Before the first new byte: turns what earlier writers stored into parts this writer may add to. */
    private void takeOver() throws IOException {
        if (smallTail) {
            bucket.complete(key, uploadId, parts);
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
            readBack();
        } else {
            String id = bucket.createUpload(key);
            try {
                parts.addAll(driver.bulk().copyParts(key, baseSize, key, id, 1));
            } catch (IOException | RuntimeException e) {
                driver.bulk().abortQuietly(key, id, e);
                throw e;
            }
            uploadId = id;
            partsSize = baseSize;
            // The upload holds the object's bytes now; with both present a later writer keeps the upload.
            bucket.delete(key);
        }
        baseSize = 0;
    }

    /** Reads a small object into the part, to be sent again with what follows it. */
    private void readBack() throws IOException {
        boolean whole = false;
        try (InputStream in = bucket.get(key, 0)) {
            whole = part.readFrom(in) == baseSize && in.read() < 0;
        } finally {
            if (!whole) {
                part.clear(); // nothing of a failed read back may reach storage when the writer closes
            }
        }
        if (!whole) {
            throw new IOException("S3: " + path + " changed while being appended to");
        }
        replacesObject = true;
    }

    private void sendPart() throws IOException {
        if (uploadId == null) {
            uploadId = bucket.createUpload(key);
        }
        int number = parts.isEmpty() ? 1 : parts.getLast().number() + 1;
        parts.add(bucket.uploadPart(key, uploadId, number, part.content()));
        partsSize += part.size();
        part.clear();
        create = false;
        if (replacesObject) {
            bucket.delete(key);
            replacesObject = false;
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
