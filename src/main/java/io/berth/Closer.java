package io.berth;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the composition root has opened, closed in reverse order of opening. Every step runs even
 * when an earlier one failed, so one failing close leaves nothing else open; the first failure is
 * thrown with the later ones attached as suppressed exceptions.
 */
final class Closer implements AutoCloseable {

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    /** Records a resource to close later; null (a component that is off) is skipped. Returns it. */
    <T extends AutoCloseable> T add(T resource) {
        if (resource != null) {
            synchronized (opened) {
                opened.push(resource);
            }
        }
        return resource;
    }

    /** Closes everything opened so far, newest first, once; a second call finds nothing left to close. */
    @Override
    public void close() throws Exception {
        Exception first = closeAll(null);
        if (first != null) {
            throw first;
        }
    }

    /** Closes everything after a failed start, attaching each close failure to {@code cause}, which the caller throws. */
    <E extends Throwable> E closeAfter(E cause) {
        closeAll(cause);
        return cause;
    }

    /** Closes every step; returns the first failure when {@code cause} is null, else adds them all to it. */
    private Exception closeAll(Throwable cause) {
        Exception first = null;
        for (AutoCloseable next = poll(); next != null; next = poll()) {
            try {
                next.close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    // Keep closing the rest, but let the caller see the interrupt.
                    Thread.currentThread().interrupt();
                }
                if (cause != null) {
                    cause.addSuppressed(e);
                } else if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        return first;
    }

    private AutoCloseable poll() {
        synchronized (opened) {
            return opened.poll();
        }
    }
}
