package io.berth.storage.driver;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * A stream into one file. Bytes written are readable once the writer is closed; {@link #commit()}
 * additionally makes them durable. A writer must be closed whatever happens.
 */
public abstract class FileWriter extends OutputStream {

    /** The most copied at once from a buffer outside the heap. */
    private static final int COPY_BUFFER = 16 * 1024;

    /** Bytes in the file so far, including those appended to. */
    public abstract long size();

    /** Flushes everything written to durable storage; no more writes are accepted afterwards. */
    public abstract void commit() throws IOException;

    /** Abandons the file: it is deleted, with any content it had before an append; the writer is closed. */
    public abstract void cancel() throws IOException;

    /** Writes the bytes left in {@code bytes}; drivers that can take a buffer as it is override this. */
    public void write(ByteBuffer bytes) throws IOException {
        if (bytes.hasArray()) {
            write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            bytes.position(bytes.limit());
            return;
        }
        byte[] copy = new byte[Math.min(bytes.remaining(), COPY_BUFFER)];
        while (bytes.hasRemaining()) {
            int n = Math.min(copy.length, bytes.remaining());
            bytes.get(copy, 0, n);
            write(copy, 0, n);
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }
}
