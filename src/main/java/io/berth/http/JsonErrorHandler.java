package io.berth.http;

import io.berth.observe.RequestIds;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty raises before or outside the router (malformed request lines, headers, lengths or
 * URIs, headers too large, timeouts) get the spec's JSON envelope too, with a request id, and never
 * a stack trace or a Java class name.
 */
final class JsonErrorHandler extends ErrorHandler {

    /** A qualified Java name or an exception's simple name: never shown to clients. */
    private static final Pattern JAVA_NAME = Pattern.compile("\\b(?:[a-z_][\\w$]*\\.)+[A-Z][\\w$]*|\\w*(?:Exception|Error)\\b");

    @Override
    protected void generateResponse(Request request, Response response, int status, String message, Throwable cause, Callback callback) {
        byte[] body = errorFor(status, message, cause).envelope();
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, "application/json");
        headers.put(HttpHeader.CONTENT_LENGTH, body.length);
        if (!headers.contains(RequestIds.HEADER)) {
            headers.put(RequestIds.HEADER, RequestIds.accept(request.getHeaders().get(RequestIds.HEADER)));
        }
        boolean head = "HEAD".equals(request.getMethod());
        response.write(true, ByteBuffer.wrap(head ? new byte[0] : body), callback);
    }

    /** Jetty sends an empty body to methods other than GET, POST and HEAD; every client here gets the envelope. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        // Refused before any handler ran, so it has no id yet; every response carries one.
        fields.put(RequestIds.HEADER, RequestIds.generate());
        return ByteBuffer.wrap(errorFor(status, reason, null).envelope());
    }

    /** The spec code for a status Jetty chose, with Jetty's reason as the detail when it names no Java type. */
    static ApiError errorFor(int status, String reason, Throwable cause) {
        String detail = reason == null || reason.isBlank() || JAVA_NAME.matcher(reason).find() ? null : reason;
        String lower = detail == null ? "" : detail.toLowerCase(Locale.ROOT);
        return switch (status) {
            case 400 -> {
                if (unparseablePath(cause)) {
                    yield new ApiError(ErrorCode.NAME_INVALID, 400, "the request path cannot be decoded, so it names no valid repository", detail);
                }
                if (lower.contains("content-length") || lower.contains("content length")) {
                    yield new ApiError(ErrorCode.SIZE_INVALID, 400, "the Content-Length header is not one valid length", detail);
                }
                yield new ApiError(ErrorCode.BAD_REQUEST, 400, "the request is not valid HTTP", detail);
            }
            case 404 -> new ApiError(ErrorCode.NOT_FOUND, 404, ErrorCode.NOT_FOUND.message(), detail);
            case 405 -> new ApiError(ErrorCode.UNSUPPORTED, 405, ErrorCode.UNSUPPORTED.message(), detail);
            case 408 -> new ApiError(ErrorCode.BAD_REQUEST, 408, "the request took too long to arrive", detail);
            case 413 -> new ApiError(ErrorCode.SIZE_INVALID, 413, "the request body is larger than the registry accepts", detail);
            case 414 -> new ApiError(ErrorCode.BAD_REQUEST, 414, "the request target is longer than the registry accepts", detail);
            case 431 -> new ApiError(ErrorCode.BAD_REQUEST, 431, "the request headers are larger than the registry accepts", detail);
            case 426, 505 -> new ApiError(ErrorCode.BAD_REQUEST, status, "this HTTP version is not supported: use HTTP/1.1 or HTTP/2", detail);
            default -> status >= 500
                    ? new ApiError(ErrorCode.UNKNOWN, status, ErrorCode.UNKNOWN.message(), null)
                    : new ApiError(ErrorCode.BAD_REQUEST, status, ErrorCode.BAD_REQUEST.message(), detail);
        };
    }

    /**
     * Jetty's parser refuses a request target it cannot decode (a dot segment above the root, an
     * encoded NUL) before routing, and keeps only an IllegalArgumentException about the URI as the
     * cause. Such a path names no valid repository, so it is reported as NAME_INVALID.
     */
    private static boolean unparseablePath(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException && t.getMessage() != null) {
                String message = t.getMessage().toLowerCase(Locale.ROOT);
                if (message.contains("uri") || message.contains("path") || message.contains("segment") || message.contains("encod")) {
                    return true;
                }
            }
        }
        return false;
    }
}
