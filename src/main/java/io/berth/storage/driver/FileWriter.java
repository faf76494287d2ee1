package io.berth.storage.driver;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A stream into one file. Bytes written are readable once the writer is closed; {@link #commit()}
 * additionally makes them durable. A writer must be closed whatever happens.
 */
public abstract class FileWriter extends OutputStream {

    /** Bytes in the file so far, including those appended to. */
    public abstract long size();

    /** Flushes everything written to durable storage; no more writes are accepted afterwards. */
    public abstract void commit() throws IOException;

    /** Abandons the file: it is deleted, with any content it had before an append; the writer is closed. */
    public abstract void cancel() throws IOException;

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }
}
