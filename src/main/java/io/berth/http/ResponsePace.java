package io.berth.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Writes a response's body on the request's thread, blocking until the client has taken each piece,
 * and enforces {@code http.limits.minresponserate}: a client that takes the body slower than that has
 * its connection closed, which frees the buffer the write holds and the connection's slot.
 *
 * <p>Only time spent waiting for the client counts, and progress is what the socket took while we
 * waited (Jetty consumes the written buffer in place). The rate is judged over windows of
 * {@link #WINDOW_NANOS} of waiting, the first one {@link #GRACE_NANOS} longer: TCP hands a slow reader's
 * progress back in bursts of a receive window, so a single write is too short a measure, while a
 * whole-response average would let a client idle as long as the kernel's buffers (megabytes) last.
 * A client that stops reading is cut after about 12 s of waiting. On HTTP/2 the cut closes the whole
 * connection, as for HTTP/1.1: Jetty offers handlers no way to reset one stream without racing the write.
 */
final class ResponsePace {

    /** Added to the first window: TCP's slow start and a first round trip. */
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** Long enough for several bursts of a client just above the default rate on a real network. */
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Request request;
    private final Response response;
    /** Bytes per second, 0 for no bound. */
    private final long minRate;
    private long windowNanos = GRACE_NANOS + WINDOW_NANOS;
    /** Time spent waiting for the client in the current window. */
    private long waitedNanos;
    /** Bytes the client took while we waited, in the current window. */
    private long taken;

    ResponsePace(Request request, Response response, long minRate) {
        this.request = request;
        this.response = response;
        this.minRate = minRate;
    }

    /** Writes {@code content} and returns once the client took all of it; cuts the connection of a client too slow. */
    void write(boolean last, ByteBuffer content) throws IOException {
        Written written = new Written();
        response.write(last, content, written);
        int from = content.position();
        long since = System.nanoTime();
        try {
            while (!written.await(minRate <= 0 ? Long.MAX_VALUE : windowNanos - waitedNanos)) {
                long now = System.nanoTime();
                waitedNanos += now - since;
                since = now;
                int at = content.position(); // racy, at worst a little behind: Jetty advances it as the socket takes bytes
                taken += at - from;
                from = at;
                if (minRate > 0 && waitedNanos >= windowNanos) {
                    judgeWindow(written);
                }
            }
        } catch (InterruptedException e) {
            cut(written, "interrupted while the client was taking the response");
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing the response");
        }
        waitedNanos += System.nanoTime() - since;
        taken += content.position() - from;
        written.rethrow();
    }

    /** Ends a window: cuts a client that took too little in it, else starts the next. */
    private void judgeWindow(Written written) throws IOException {
        long required = minRate * TimeUnit.NANOSECONDS.toSeconds(WINDOW_NANOS);
        if (taken < required) {
            String reason = "the client took " + taken + " bytes of the response in " + TimeUnit.NANOSECONDS.toSeconds(windowNanos)
                    + " s, slower than the " + minRate + " bytes per second the registry requires";
            cut(written, reason);
            throw new IOException(reason);
        }
        windowNanos = WINDOW_NANOS;
        waitedNanos = 0;
        taken = 0;
    }

    /**
     * Closes the connection, then waits for Jetty to fail the pending write: until then it may still
     * read the buffer, which must not go back to its pool before.
     */
    private void cut(Written written, String reason) {
        request.getConnectionMetaData().getConnection().getEndPoint().close(new TimeoutException(reason));
        written.awaitUninterruptibly();
    }

    /** The completion of one write, waited for with a timeout. */
    private static final class Written implements Callback {
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile Throwable failure;

        @Override
        public void succeeded() {
            done.countDown();
        }

        @Override
        public void failed(Throwable x) {
            failure = x;
            done.countDown();
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }

        boolean await(long nanos) throws InterruptedException {
            return done.await(nanos, TimeUnit.NANOSECONDS);
        }

        void awaitUninterruptibly() {
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        void rethrow() throws IOException {
            Throwable x = failure;
            if (x instanceof IOException io) {
                throw io;
            }
            if (x != null) {
                throw new IOException(x.getMessage(), x);
            }
        }
    }
}
