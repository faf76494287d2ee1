package io.berth.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Fields;

/**
 * One request and its response, seen through blocking calls on the request's virtual thread.
 * Handlers get exactly this: the request's headers, query and body, and a way to answer.
 */
final class Exchange {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The most of an unwanted request body read to keep a connection open. */
    private static final long DRAIN_LIMIT = 8L * 1024 * 1024;

    /**
     * What bounds an exchange: {@code http.limits.minbodyrate} and {@code minresponserate} (bytes per
     * second, 0 for no bound) and the buffers blob bodies are streamed through.
     */
    record Bounds(long minBodyRate, long minResponseRate, StreamBuffers buffers) {}

    private final Request request;
    private final Response response;
    private final Bounds bounds;
    private final ResponsePace pace;
    private Fields query;
    private RequestBody body;

    Exchange(Request request, Response response, Bounds bounds) {
        this.request = request;
        this.response = response;
        this.bounds = bounds;
        this.pace = new ResponsePace(request, response, bounds.minResponseRate());
    }

    String method() {
        return request.getMethod();
    }

    boolean isHead() {
        return "HEAD".equals(request.getMethod());
    }

    String header(String name) {
        return request.getHeaders().get(name);
    }

    /** The request's declared body length, or -1. */
    long contentLength() {
        return request.getLength();
    }

    /** A query parameter, or null. Jetty decodes leniently: a bad escape spoils only its parameter's value. */
    String query(String name) {
        return parameters().getValue(name);
    }

    /** Every value of a query parameter given several times; empty when it is absent. */
    List<String> queryValues(String name) {
        List<String> values = parameters().getValues(name);
        return values == null ? List.of() : values;
    }

    private Fields parameters() {
        if (query == null) {
            query = Request.extractQueryParameters(request);
        }
        return query;
    }

    /**
     * The request body, once: a stream whose pieces can also be taken as they arrive
     * ({@link io.berth.registry.ChunkedBody}). Reading it blocks only this request's thread; a failure
     * while reading is the client's (a short, broken or too slow body), so it surfaces as
     * {@link ClientBodyException}.
     */
    RequestBody body() {
        if (body == null) {
            body = new RequestBody(request, bounds.minBodyRate());
        }
        return body;
    }

    /** Gives back the network buffer a body read stopped in, if any. */
    void releaseBody() {
        if (body != null) {
            body.close();
        }
    }

    /**
     * The whole request body, refused with {@link RegistryError.ManifestTooLarge} past {@code limit}
     * bytes without reading more than that.
     */
    byte[] readBody(int limit) throws IOException {
        if (request.getLength() > limit) {
            throw new RegistryException(new RegistryError.ManifestTooLarge(limit));
        }
        byte[] content = body().readNBytes(limit + 1);
        if (content.length > limit) {
            throw new RegistryException(new RegistryError.ManifestTooLarge(limit));
        }
        return content;
    }

    /** Every value of a header that may be repeated or comma-separated, such as Accept. */
    List<String> headerValues(String name) {
        List<String> values = new ArrayList<>();
        for (String value : request.getHeaders().getValuesList(name)) {
            for (String part : value.split(",")) {
                if (!part.isBlank()) {
                    values.add(part.trim());
                }
            }
        }
        return values;
    }

    /**
     * An unread body would be taken for the next request on this connection. Up to
     * {@link #DRAIN_LIMIT} bytes are read and dropped, so that the client sees the answer and keeps
     * its connection; beyond that the connection closes after the answer.
     */
    private void discardUnreadBody() {
        boolean hasBody = request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        if (!hasBody || body().ended()) {
            return;
        }
        if (request.getLength() <= DRAIN_LIMIT && !body().failed()) {
            try {
                body().skip(DRAIN_LIMIT + 1);
            } catch (IOException e) {
                // a broken or stalled body: closing the connection below is all that is left
            }
        }
        if (!body().ended()) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
    }

    void status(int status) {
        response.setStatus(status);
    }

    void header(String name, String value) {
        response.getHeaders().put(name, value);
    }

    void header(String name, long value) {
        response.getHeaders().put(name, value);
    }

    /** A header set on the response so far, e.g. the request id; null when unset. */
    String responseHeader(String name) {
        return response.getHeaders().get(name);
    }

    boolean isCommitted() {
        return response.isCommitted();
    }

    /** Sends a response with no body; a HEAD response keeps the Content-Length already set. */
    void send(int status) throws IOException {
        response.setStatus(status);
        if (!response.getHeaders().contains(HttpHeader.CONTENT_LENGTH)) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
        }
        write(ByteBuffer.allocate(0));
    }

    /** Sends a body whose Content-Type the caller has set; a HEAD response gets the headers only. */
    void sendBytes(int status, byte[] body) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        write(ByteBuffer.wrap(isHead() ? new byte[0] : body));
    }

    /** Sends a JSON body. */
    void sendJson(int status, Object body) throws IOException {
        sendJson(status, body, "application/json");
    }

    /** Sends a JSON body as the given media type. */
    void sendJson(int status, Object body, String mediaType) throws IOException {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, mediaType);
        sendBytes(status, JSON.writeValueAsBytes(body));
    }

    /** Sends the spec's error envelope, after dealing with any request body left unread. */
    void sendError(ApiError error) throws IOException {
        discardUnreadBody();
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        sendBytes(error.status(), error.envelope());
    }

    /**
     * Sends {@code length} bytes of a channel as the body, after status and headers are set, through
     * one pooled buffer: a large direct one when one is free (read from the file, written to the
     * socket, no copy in between), else a small one (see {@link StreamBuffers}).
     */
    void stream(ReadableByteChannel in, long length) throws IOException {
        try (StreamBuffers.Lease lease = bounds.buffers().acquire(request.getComponents().getByteBufferPool())) {
            ByteBuffer buffer = lease.buffer().getByteBuffer();
            long left = length;
            do {
                buffer.clear().limit((int) Math.min(buffer.capacity(), left));
                while (buffer.hasRemaining()) {
                    if (in.read(buffer) < 0) {
                        throw new IOException("blob ended " + (left - buffer.position()) + " bytes early");
                    }
                }
                buffer.flip();
                left -= buffer.remaining();
                write(left == 0, buffer);
            } while (left > 0);
        }
    }

    private void write(ByteBuffer content) throws IOException {
        write(true, content);
    }

    private void write(boolean last, ByteBuffer content) throws IOException {
        pace.write(last, content);
    }

    /** The request body could not be read to its end; {@code timedOut} when it arrived too slowly. */
    static final class ClientBodyException extends IOException {
        final boolean timedOut;

        ClientBodyException(String message, Throwable cause, boolean timedOut) {
            super(message, cause);
            this.timedOut = timedOut;
        }
    }
}
