package io.berth.registry;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;

/** One blob upload session: chunks stream in, the last one commits the blob under its digest. */
public interface Upload {

    String id();

    Instant startedAt();

    /** Bytes received so far. */
    long size() throws IOException;

    /** Appends a chunk that must begin at {@code expectedStart} (when not negative); returns the new size. */
    long append(InputStream chunk, long expectedStart) throws IOException;

    /** Appends the last chunk, verifies the whole against {@code expected} and stores the blob. */
    Descriptor commit(InputStream lastChunk, long expectedStart, Digest expected) throws IOException;

    /** Drops the session and what it received. */
    void cancel() throws IOException;
}
