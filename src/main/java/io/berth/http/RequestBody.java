package io.berth.http;

import io.berth.registry.ChunkedBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * A request's body read on its virtual thread, piece by piece as Jetty's pooled buffers hold it:
 * nothing is copied to the heap and nothing is held while waiting for the client. A body slower
 * than {@code http.limits.minbodyrate} (after a short grace) is cut.
 */
final class RequestBody extends InputStream implements ChunkedBody {

    /** How long a body may take before its rate counts: TCP's slow start and a first round trip. */
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Request request;
    private final long minRate;
    private final long startNanos = System.nanoTime();
    private Content.Chunk current;
    private long received;
    private boolean ended;
    private boolean failed;

    RequestBody(Request request, long minRate) {
        this.request = request;
        this.minRate = minRate;
    }

    /** Whether the whole body was read. */
    boolean ended() {
        return ended;
    }

    /** Whether reading failed (a broken, short or slow body): the rest is not worth waiting for. */
    boolean failed() {
        return failed;
    }

    @Override
    public void forEachChunk(Sink sink) throws IOException {
        while (next()) {
            ByteBuffer piece = current.getByteBuffer();
            try {
                sink.accept(piece);
            } finally {
                piece.position(piece.limit());
            }
        }
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (!next()) {
            return -1;
        }
        ByteBuffer piece = current.getByteBuffer();
        int n = Math.min(length, piece.remaining());
        piece.get(bytes, offset, n);
        return n;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public void close() {
        release();
    }

    /** Makes {@link #current} a chunk with bytes left; false at the end of the body. */
    private boolean next() throws IOException {
        while (current == null || !current.hasRemaining()) {
            if (current != null && current.isLast()) {
                ended = true;
                release();
                return false;
            }
            if (ended) {
                return false;
            }
            release();
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                await();
            } else if (Content.Chunk.isFailure(chunk)) {
                failed = true;
                throw failure(chunk.getFailure());
            } else {
                received += chunk.remaining();
                current = chunk;
            }
        }
        return true;
    }

    /** Waits for more of the body, no longer than the minimum rate allows for the bytes received so far. */
    private void await() throws IOException {
        CountDownLatch arrived = new CountDownLatch(1);
        request.demand(arrived::countDown);
        try {
            if (minRate <= 0) {
                arrived.await();
                return;
            }
            long allowed = GRACE_NANOS + (long) (received * 1e9 / minRate);
            long left = startNanos + allowed - System.nanoTime();
            if (left <= 0 || !arrived.await(left, TimeUnit.NANOSECONDS)) {
                failed = true;
                throw new Exchange.ClientBodyException("the request body arrived slower than the " + minRate
                        + " bytes per second the registry requires (" + received + " bytes received)", null, true);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed = true;
            throw new InterruptedIOException("interrupted while reading the request body");
        }
    }

    private void release() {
        if (current != null) {
            current.release();
            current = null;
        }
    }

    /** The failure Jetty reports for a body (a reset, an idle timeout, a bad chunk), as the client's fault. */
    private static Exchange.ClientBodyException failure(Throwable cause) {
        boolean timeout = cause instanceof TimeoutException;
        String message = timeout ? "the request body stopped arriving" : "the request body ended early";
        return new Exchange.ClientBodyException(message, cause, timeout);
    }
}
