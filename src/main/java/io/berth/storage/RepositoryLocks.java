package io.berth.storage;

import java.io.IOException;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Serialises, within this process, the steps that write and delete the same names of a repository
 * (a tag and its manifest, a blob link), so that a push and a delete of one name never tear each
 * other's folders apart. A fixed set of locks striped by key keeps memory bounded and lets other
 * repositories go on in parallel. Replicas sharing S3 are not serialised by it: there each step
 * treats a path that vanished under it as the other request's outcome.
 */
final class RepositoryLocks {

    private static final int STRIPES = 256;

    private final ReentrantReadWriteLock[] stripes = new ReentrantReadWriteLock[STRIPES];

    RepositoryLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantReadWriteLock();
        }
    }

    /** Runs {@code step} alone among the steps on {@code key} (a repository name, or a name with a digest). */
    <T> T locked(Object key, IoStep<T> step) throws IOException {
        return run(stripe(key).writeLock(), step);
    }

    /**
     * Runs {@code step} beside other shared steps on {@code key}, but never beside a {@link #locked} one:
     * pushes into one repository go on in parallel (they are idempotent), deletes wait for them.
     */
    <T> T shared(Object key, IoStep<T> step) throws IOException {
        return run(stripe(key).readLock(), step);
    }

    private ReentrantReadWriteLock stripe(Object key) {
        int hash = key.hashCode();
        return stripes[(hash ^ (hash >>> 16)) & (STRIPES - 1)];
    }

    private static <T> T run(Lock lock, IoStep<T> step) throws IOException {
        lock.lock();
        try {
            return step.run();
        } finally {
            lock.unlock();
        }
    }
}
