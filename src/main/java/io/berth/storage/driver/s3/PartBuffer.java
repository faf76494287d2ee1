package io.berth.storage.driver.s3;

import io.berth.storage.driver.StorageDriverException.Busy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One writer's part, up to {@code capacity} bytes, from a {@link PartPool}: heap blocks allocated as
 * the part grows (a small file stays small, and growing copies nothing), or a temporary file. The
 * file is unlinked as soon as it is opened, so it is gone however the writer or the process ends;
 * its space returns when the buffer is closed. Reused for each part of the writer; not thread-safe.
 */
final class PartBuffer implements AutoCloseable {

    private static final int FIRST_BLOCK = 64 * 1024;
    private static final int MAX_BLOCK = 1024 * 1024;

    private final PartPool pool;
    private final long capacity;
    /** The folder of the temporary file, or null for a buffer in memory. */
    private final Path spillDirectory;
    private final List<byte[]> blocks = new ArrayList<>();
    private long allocated;
    /** Where the next byte goes in memory: a block, and a position in it. */
    private int block;
    private int at;
    private FileChannel file;
    private long size;
    private boolean closed;

    PartBuffer(PartPool pool, long capacity, Path spillDirectory) {
        this.pool = pool;
        this.capacity = capacity;
        this.spillDirectory = spillDirectory;
    }

    long size() {
        return size;
    }

    long room() {
        return capacity - size;
    }

    /** Whether the part is in a temporary file rather than on the heap. */
    boolean spilled() {
        return spillDirectory != null;
    }

    /** Appends bytes; at most {@link #room()}. */
    void write(byte[] bytes, int offset, int length) throws IOException {
        write(ByteBuffer.wrap(bytes, offset, length));
    }

    /** Appends what remains of {@code bytes} (a network buffer, heap or direct); at most {@link #room()}. */
    void write(ByteBuffer bytes) throws IOException {
        int length = bytes.remaining();
        if (length > room() || closed) {
            throw new IllegalStateException(closed ? "part buffer closed" : "part buffer full");
        }
        if (spilled()) {
            writeFile(bytes);
        } else {
            writeBlocks(bytes);
        }
        size += length;
    }

    /** Appends a stream up to its end or until the part is full; returns how many bytes it took. */
    long readFrom(InputStream in) throws IOException {
        long before = size;
        byte[] piece = new byte[FIRST_BLOCK];
        for (int n; room() > 0 && (n = in.read(piece, 0, (int) Math.min(piece.length, room()))) > 0; ) {
            write(piece, 0, n);
        }
        return size - before;
    }

    /** Empties the part, keeping its memory or file for the next one. */
    void clear() {
        size = 0;
        block = 0;
        at = 0;
    }

    /** The bytes so far, to send; valid until the next write or clear. */
    Bucket.Content content() {
        long length = size;
        return new Bucket.Content() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public InputStream open() {
                return spilled() ? new FileStream(file, length) : new BlockStream(blocks, length);
            }
        };
    }

    /** Frees the memory or the file, and the buffer's share of the pool. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        blocks.clear();
        pool.release(spilled());
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                // already unlinked: the system frees its space with the descriptor whatever close says
            }
        }
    }

    private void writeBlocks(ByteBuffer bytes) {
        while (bytes.hasRemaining()) {
            if (block == blocks.size()) {
                int grown = blocks.isEmpty() ? FIRST_BLOCK : Math.min(MAX_BLOCK, 2 * blocks.getLast().length);
                blocks.add(new byte[(int) Math.min(capacity - allocated, grown)]);
                allocated += blocks.getLast().length;
            }
            byte[] target = blocks.get(block);
            int n = Math.min(bytes.remaining(), target.length - at);
            bytes.get(target, at, n);
            at += n;
            if (at == target.length) {
                block++;
                at = 0;
            }
        }
    }

    private void writeFile(ByteBuffer bytes) throws IOException {
        try {
            if (file == null) {
                file = open(spillDirectory);
            }
            for (long position = size; bytes.hasRemaining(); ) {
                position += file.write(bytes, position);
            }
        } catch (IOException e) {
            Busy busy = new Busy(null, "no room for S3 part buffers in temporary files; try again later", PartPool.RETRY_AFTER);
            busy.initCause(e);
            throw busy;
        }
    }

    private static FileChannel open(Path directory) throws IOException {
        Path path = directory.resolve("berth-s3-part-" + UUID.randomUUID() + ".tmp");
        FileSystem fs = directory.getFileSystem();
        FileAttribute<?>[] ownerOnly = fs.supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        // DELETE_ON_CLOSE unlinks the file right after opening it on POSIX systems: nothing to leave behind.
        return FileChannel.open(path, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE), ownerOnly);
    }

    /** The first {@code length} bytes of the blocks. */
    private static final class BlockStream extends InputStream {
        private final List<byte[]> blocks;
        private long left;
        private int block;
        private int at;

        BlockStream(List<byte[]> blocks, long length) {
            this.blocks = blocks;
            this.left = length;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            if (left == 0) {
                return -1;
            }
            if (at == blocks.get(block).length) {
                block++;
                at = 0;
            }
            int n = (int) Math.min(Math.min(length, blocks.get(block).length - at), left);
            System.arraycopy(blocks.get(block), at, target, offset, n);
            at += n;
            left -= n;
            return n;
        }
    }

    /** The first {@code length} bytes of the file, by positioned reads: each stream starts at 0. */
    private static final class FileStream extends InputStream {
        private final FileChannel file;
        private final long length;
        private long position;

        FileStream(FileChannel file, long length) {
            this.file = file;
            this.length = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int count) throws IOException {
            if (position == length) {
                return -1;
            }
            int n = file.read(ByteBuffer.wrap(target, offset, (int) Math.min(count, length - position)), position);
            if (n < 0) {
                throw new IOException("part file ended early");
            }
            position += n;
            return n;
        }
    }
}
