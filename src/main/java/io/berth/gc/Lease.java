package io.berth.gc;

import java.io.IOException;

/**
 * Which replica may collect: held by one owner until it expires, renewed while the collection runs.
 * Two implementations: {@link RedisLease} (when {@code redis.addr} is set) and {@link StorageLease}.
 */
public interface Lease extends AutoCloseable {

    /** Takes the lease when no other owner holds it; true when this owner holds it now. */
    boolean acquire() throws IOException;

    /** Extends the lease; false when this owner no longer holds it (it expired and another took it). */
    boolean renew() throws IOException;

    /** Gives the lease up, when this owner holds it. */
    void release() throws IOException;

    @Override
    default void close() throws IOException {}
}
