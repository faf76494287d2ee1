package io.berth.http;

import java.lang.management.ManagementFactory;
import java.util.concurrent.Semaphore;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;

/**
 * The buffers blob bodies are streamed through. A few large direct ones make a pull fast (one read
 * and one write per MiB); past those a response gets a small heap buffer, so that however many
 * clients read slowly, blob responses hold at most {@link #LARGE} times the permits of direct memory
 * and {@link #SMALL} of heap per connection.
 */
final class StreamBuffers {

    static final int LARGE = 1024 * 1024;
    static final int SMALL = 16 * 1024;
    /** Large buffers at most, whatever the direct memory: eight pulls at full speed saturate two cores. */
    private static final int MAX_LARGE = 8;

    private final Semaphore large;

    StreamBuffers(int largeBuffers) {
        this.large = new Semaphore(largeBuffers);
    }

    /**
     * Sized from the JVM's direct memory: a quarter of it in large buffers (8 with the launcher's 32 MiB),
     * leaving the rest to Jetty's pool, which keeps up to 16 MiB of idle buffers, and its network buffers.
     */
    static StreamBuffers forDirectMemory() {
        return new StreamBuffers((int) Math.clamp(maxDirectMemory() / 4 / LARGE, 1, MAX_LARGE));
    }

    /** {@code -XX:MaxDirectMemorySize}, or the heap's maximum, which is the JVM's default for it. */
    private static long maxDirectMemory() {
        try {
            var options = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            long set = Long.parseLong(options.getVMOption("MaxDirectMemorySize").getValue());
            return set > 0 ? set : Runtime.getRuntime().maxMemory();
        } catch (RuntimeException e) {
            return Runtime.getRuntime().maxMemory();
        }
    }

    /** A large direct buffer if one is free, else a small heap one; never waits. Give it back with {@link Lease#close}. */
    Lease acquire(ByteBufferPool pool) {
        if (large.tryAcquire()) {
            try {
                return new Lease(pool.acquire(LARGE, true), large);
            } catch (RuntimeException | Error e) {
                large.release();
                throw e;
            }
        }
        return new Lease(pool.acquire(SMALL, false), null);
    }

    /** One buffer taken; {@code permit} is the semaphore it came under, or null. */
    record Lease(RetainableByteBuffer buffer, Semaphore permit) implements AutoCloseable {
        @Override
        public void close() {
            buffer.release();
            if (permit != null) {
                permit.release();
            }
        }
    }
}
