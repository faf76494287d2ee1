package io.berth.storage.driver.s3;

import io.berth.storage.driver.StorageDriverException.Busy;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The part buffers of one driver's writers, so that any number of uploads in flight cannot exhaust
 * the heap: each writer holds one whole part from its start to its end, from the heap budget while
 * it lasts, else from the disk budget as a temporary file. Reserving the whole part up front means
 * a writer never waits in the middle of a body; one that finds both budgets used waits a little for
 * another writer to finish, then is refused with {@link Busy}.
 */
final class PartPool {

    /** What a refused client is told to wait: about the time another upload's request takes to finish. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(3);

    private final long partSize;
    private final Path spillDirectory;
    private final Duration wait;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private long memoryLeft;
    private long spillLeft;
    private int inMemory;
    private int inFiles;
    private int waiting;

    PartPool(PartBufferSettings settings, long partSize) {
        this.partSize = partSize;
        this.spillDirectory = settings.spillDirectory();
        this.wait = settings.maxWait();
        this.spillLeft = settings.spillSize();
        // With no room for a part on disk, the heap must hold at least one, or no writer could ever start.
        this.memoryLeft = spillLeft >= partSize ? settings.memory() : Math.max(settings.memory(), partSize);
    }

    /** How many writers hold a part buffer in memory, in files, and wait for one. */
    record Usage(int inMemory, int inFiles, int waiting) {}

    Usage usage() {
        lock.lock();
        try {
            return new Usage(inMemory, inFiles, waiting);
        } finally {
            lock.unlock();
        }
    }

    /** A part buffer for a writer of {@code path}, waiting up to the configured time for one to be freed. */
    PartBuffer take(String path) throws Busy, InterruptedIOException {
        lock.lock();
        waiting++;
        try {
            long left = wait.toNanos();
            while (true) {
                if (memoryLeft >= partSize) {
                    memoryLeft -= partSize;
                    inMemory++;
                    return new PartBuffer(this, partSize, null);
                }
                if (spillLeft >= partSize) {
                    spillLeft -= partSize;
                    inFiles++;
                    return new PartBuffer(this, partSize, spillDirectory);
                }
                if (left <= 0) {
                    throw new Busy(path, "too many uploads in flight: no buffer for an S3 part is free (" + inMemory
                            + " in memory, " + inFiles + " in temporary files); try again later", RETRY_AFTER);
                }
                left = released.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a part buffer");
        } finally {
            waiting--;
            lock.unlock();
        }
    }

    /** Gives back a buffer's share of its budget; called once by the buffer when it is closed. */
    void release(boolean spilled) {
        lock.lock();
        try {
            if (spilled) {
                spillLeft += partSize;
                inFiles--;
            } else {
                memoryLeft += partSize;
                inMemory--;
            }
            released.signalAll(); // not signal(): the one woken may be timing out and drop it
        } finally {
            lock.unlock();
        }
    }
}
