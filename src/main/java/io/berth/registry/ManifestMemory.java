package io.berth.registry;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bound on the bytes of manifests held in memory at once. Manifests are read whole (up to 4 MiB
 * each), as pushed and as served, so without it enough concurrent requests for a large one exhaust
 * the heap. A request past the bound waits briefly for room, then gets
 * {@link RegistryError.TooManyRequests}; one larger than the whole bound runs alone.
 */
public final class ManifestMemory {

    /** How long a request waits for room: longer than it takes to serve a few manifests of the largest size. */
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final long capacity;
    private final Duration wait;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    private long used;

    /** A bound of {@code capacity} bytes; a request waits up to {@code wait} for room. */
    public ManifestMemory(long capacity, Duration wait) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.wait = wait;
    }

    /** A sixth of the heap (at least 8 MiB): about 15 MiB under the launcher's 96 MiB, three manifests of the largest size. */
    public static ManifestMemory forHeap() {
        return new ManifestMemory(Math.max(8L << 20, Runtime.getRuntime().maxMemory() / 6), WAIT);
    }

    /** Reserves {@code bytes} (at most the whole bound) until the lease is closed. */
    public Lease acquire(long bytes) throws InterruptedIOException {
        Lease lease = new Lease();
        lease.grow(bytes);
        return lease;
    }

    /** Waits for room for {@code amount} more bytes, then takes them. */
    private void reserve(long amount) throws InterruptedIOException {
        lock.lock();
        try {
            long left = wait.toNanos();
            while (used + amount > capacity) {
                if (left <= 0) {
                    throw new RegistryException(new RegistryError.TooManyRequests(
                            "too many manifests are being read or written at once; retry shortly", RETRY_AFTER));
                }
                left = room.awaitNanos(left);
            }
            used += amount;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for manifest memory");
        } finally {
            lock.unlock();
        }
    }

    private void release(long amount) {
        lock.lock();
        try {
            used -= amount;
            room.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes reserved until {@link #close}; closing twice releases once. */
    public final class Lease implements AutoCloseable {
        private long amount;
        private boolean closed;

        private Lease() {}

        /** Reserves {@code bytes} more for this lease, as far as the whole bound allows, so that it never waits for itself. */
        public void grow(long bytes) throws InterruptedIOException {
            long more = Math.clamp(bytes, 0, capacity - amount);
            reserve(more);
            amount += more;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release(amount);
            }
        }
    }
}
