package io.berth.storage;

import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The live state of uploads between their requests: a lock, so one request at a time writes an
 * upload, and the running SHA-256 of the bytes received so far. The JDK's hasher cannot export its
 * state, so when an entry is missing or behind storage (a restart, another replica wrote to the
 * upload, an eviction) the upload goes on without one and its commit hashes the finished data.
 */
final class UploadSessions {

    /** Idle sessions kept at most; the oldest idle ones are dropped first and rebuilt when needed. */
    static final int MAX_SESSIONS = 10_000;

    /** One upload's state; touched only while {@link #lock} is held. */
    static final class Session {
        final ReentrantLock lock = new ReentrantLock();
        /** Hash of the first {@link #offset} bytes of the upload's data, or null when unknown. */
        MessageDigest hasher;
        long offset;
        /** Set once the upload is committed or cancelled, for requests that were waiting on the lock. */
        boolean finished;
    }

    private final Map<UploadId, Session> sessions = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UploadId, Session> eldest) {
            return size() > MAX_SESSIONS && !eldest.getValue().lock.isLocked();
        }
    };

    /** The session of an upload, locked; the caller unlocks it. */
    Session acquire(UploadId id) {
        Session session;
        synchronized (sessions) {
            session = sessions.computeIfAbsent(id, ignored -> new Session());
        }
        session.lock.lock();
        return session;
    }

    /** Forgets a finished upload. The caller holds its lock. */
    void finish(UploadId id, Session session) {
        session.finished = true;
        session.hasher = null;
        synchronized (sessions) {
            sessions.remove(id, session);
        }
    }
}
