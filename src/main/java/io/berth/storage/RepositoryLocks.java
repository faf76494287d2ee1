package io.berth.storage;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises, within this process, the steps that write and delete the same names of a repository
 * (a tag and its manifest, a blob link), so that a push and a delete of one name never tear each
 * other's folders apart. A fixed set of locks striped by key keeps memory bounded and lets other
 * repositories go on in parallel. Replicas sharing S3 are not serialised by it: there each step
 * treats a path that vanished under it as the other request's outcome.
 */
final class RepositoryLocks {

    private static final int STRIPES = 256;

    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    RepositoryLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** Runs {@code step} holding the lock of {@code key} (a repository name, or a name with a digest). */
    <T> T locked(Object key, IoStep<T> step) throws IOException {
        int hash = key.hashCode();
        ReentrantLock lock = stripes[(hash ^ (hash >>> 16)) & (STRIPES - 1)];
        lock.lock();
        try {
            return step.run();
        } finally {
            lock.unlock();
        }
    }
}
