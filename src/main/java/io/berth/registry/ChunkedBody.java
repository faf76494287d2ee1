package io.berth.registry;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A body whose bytes can be taken in the pieces they arrived in, straight from the network's
 * buffers: an upload then holds no buffer of its own while it waits for the next piece.
 */
public interface ChunkedBody {

    /** Hands every remaining piece, in order, to {@code sink}; a piece is valid only during the call. */
    void forEachChunk(Sink sink) throws IOException;

    /** Takes one piece of a body. */
    @FunctionalInterface
    interface Sink {
        void accept(ByteBuffer piece) throws IOException;
    }
}
