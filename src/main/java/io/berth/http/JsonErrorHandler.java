package io.berth.http;

import io.berth.observe.RequestIds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty raises before a request reaches the router (malformed request lines, headers or
 * URIs) get the spec's JSON envelope too, and never a stack trace.
 */
final class JsonErrorHandler extends ErrorHandler {

    @Override
    protected void generateResponse(Request request, Response response, int status, String message, Throwable cause, Callback callback) throws IOException {
        byte[] body = envelope(status, unparseablePath(cause));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if (!response.getHeaders().contains(RequestIds.HEADER)) {
            response.getHeaders().put(RequestIds.HEADER, RequestIds.accept(request.getHeaders().get(RequestIds.HEADER)));
        }
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        // Refused before any handler ran, so it has no id yet; every response carries one.
        fields.put(RequestIds.HEADER, RequestIds.generate());
        return ByteBuffer.wrap(envelope(status, false));
    }

    /**
     * Jetty's parser refuses a request target it cannot decode (a dot segment above the root, an
     * encoded NUL) before routing, and keeps only an IllegalArgumentException as the cause. Such a
     * path names no valid repository, so it is reported as NAME_INVALID.
     */
    private static boolean unparseablePath(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException) {
                return true;
            }
        }
        return false;
    }

    private static byte[] envelope(int status, boolean unparseablePath) {
        if (status == 400 && unparseablePath) {
            return json(ErrorCode.NAME_INVALID, "the request path cannot be decoded, so it names no valid repository");
        }
        ErrorCode code = switch (status) {
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.UNSUPPORTED;
            case 413, 431 -> ErrorCode.SIZE_INVALID;
            default -> status >= 500 ? ErrorCode.UNKNOWN : ErrorCode.BAD_REQUEST;
        };
        return json(code, code.message());
    }

    private static byte[] json(ErrorCode code, String message) {
        String json = "{\"errors\":[{\"code\":\"" + code.name() + "\",\"message\":\"" + message + "\"}]}";
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
