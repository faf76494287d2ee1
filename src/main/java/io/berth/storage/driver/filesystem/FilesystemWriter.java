package io.berth.storage.driver.filesystem;

import io.berth.storage.driver.FileWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A buffered writer into one file; not for concurrent use, like any stream. A full disk is
 * reported as {@link io.berth.storage.driver.StorageDriverException.StorageFull}.
 */
final class FilesystemWriter extends FileWriter {

    // Callers write in small pieces (HTTP chunks, hash-sized blocks); one syscall per piece is slow.
    private static final int BUFFER_SIZE = 64 * 1024;
    /**
     * After this many bytes a background flush starts, so the disk writes a large blob while the
     * rest is still arriving and the final flush at commit has little left to do.
     */
    private static final long WRITEBACK_EVERY = 2L * 1024 * 1024;

    private final String path;
    private final Path file;
    private final FileChannel channel;
    private final Flusher flusher;
    /** Made at the first small write only: an upload fed whole network buffers never needs one. */
    private ByteBuffer buffer;
    private long written;
    private final long opened;
    private long sinceWriteback;
    private Thread writeback;
    private boolean closed;
    private boolean committed;

    FilesystemWriter(String path, Path file, FileChannel channel, Flusher flusher) throws IOException {
        this.path = path;
        this.file = file;
        this.channel = channel;
        this.flusher = flusher;
        this.written = channel.position();
        this.opened = written;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        ensureWritable();
        try {
            if (buffer == null && length < BUFFER_SIZE) {
                buffer = ByteBuffer.allocate(BUFFER_SIZE);
            }
            if (buffer != null && length > buffer.remaining()) {
                drain();
            }
            if (length >= BUFFER_SIZE) {
                writeFully(ByteBuffer.wrap(bytes, offset, length));
            } else {
                buffer.put(bytes, offset, length);
            }
        } catch (IOException e) {
            throw FilesystemDriver.full(e, path);
        }
    }

    /** A network buffer goes to the file as it is, after whatever is buffered. */
    @Override
    public void write(ByteBuffer bytes) throws IOException {
        ensureWritable();
        try {
            drain();
            writeFully(bytes);
        } catch (IOException e) {
            throw FilesystemDriver.full(e, path);
        }
    }

    @Override
    public long size() {
        return written + (buffer == null ? 0 : buffer.position());
    }

    @Override
    public void flush() throws IOException {
        if (!closed) {
            drainOrFull();
        }
    }

    /** Writes out the buffer and syncs the file; its directory entry is made durable by the move that publishes it. */
    @Override
    public void commit() throws IOException {
        ensureWritable();
        drainOrFull();
        awaitWriteback();
        try {
            flusher.flushFile(file, channel);
        } catch (IOException e) {
            throw FilesystemDriver.full(e, path);
        }
        committed = true;
    }

    @Override
    public void cancel() throws IOException {
        closed = true;
        awaitWriteback();
        channel.close();
        Files.deleteIfExists(file);
    }

    /** Writes out the buffer without syncing: data of an unfinished upload need not be durable. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            drainOrFull();
        } finally {
            awaitWriteback();
            if (!committed && written - opened >= WRITEBACK_EVERY / 2) {
                // A chunk of an upload: start its writeback now, so the commit finds little left to flush.
                Thread.ofVirtual().name("writeback").start(this::forceAndClose);
            } else {
                channel.close();
            }
        }
    }

    private void ensureWritable() throws IOException {
        if (closed) {
            throw new IOException("writer is closed: " + file);
        }
        if (committed) {
            throw new IOException("writer is committed: " + file);
        }
    }

    private void drainOrFull() throws IOException {
        try {
            drain();
        } catch (IOException e) {
            throw FilesystemDriver.full(e, path);
        }
    }

    private void drain() throws IOException {
        if (buffer == null) {
            return;
        }
        buffer.flip();
        try {
            writeFully(buffer);
        } finally {
            buffer.clear(); // after a failure too, so that a later drain does not write the same bytes again
        }
    }

    private void writeFully(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            int n = channel.write(bytes);
            written += n;
            sinceWriteback += n;
        }
        if (sinceWriteback >= WRITEBACK_EVERY && (writeback == null || !writeback.isAlive())) {
            sinceWriteback = 0;
            // Only an early start: durability still comes from the flush in commit().
            writeback = Thread.ofVirtual().name("writeback").start(() -> {
                try {
                    channel.force(false);
                } catch (IOException e) {
                    // commit() flushes again and reports what fails then
                }
            });
        }
    }

    private void forceAndClose() {
        try (channel) {
            channel.force(false);
        } catch (IOException e) {
            // only an early start: the commit's flush is the one that counts
        }
    }

    private void awaitWriteback() {
        if (writeback != null) {
            try {
                writeback.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
