package io.berth.http;

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
        byte[] body = envelope(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(envelope(status));
    }

    private static byte[] envelope(int status) {
        ErrorCode code = switch (status) {
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.UNSUPPORTED;
            case 413, 431 -> ErrorCode.SIZE_INVALID;
            default -> status >= 500 ? ErrorCode.UNKNOWN : ErrorCode.BAD_REQUEST;
        };
        String json = "{\"errors\":[{\"code\":\"" + code.name() + "\",\"message\":\"" + code.message() + "\"}]}";
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
