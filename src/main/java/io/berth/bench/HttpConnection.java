package io.berth.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A lean HTTP/1.1 client on one kept-alive connection, so the load generator spends as little CPU
 * as it can and both servers under test face the same client. Not thread-safe: one per worker.
 */
final class HttpConnection implements AutoCloseable {

    /** A response: status, headers (names lower-cased), and the body when it was kept. */
    record Response(int status, Map<String, String> headers, byte[] body, long bodyLength) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** What to do with a response body. */
    enum BodyMode { KEEP, DISCARD }

    private static final int BUFFER = 64 * 1024;

    private final String host;
    private final int port;
    private final Pushed pushed;
    private final Auth auth;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final byte[] scratch = new byte[BUFFER];

    HttpConnection(URI base) {
        this(base, new Pushed());
    }

    /** A connection whose pushes are recorded in {@code pushed}, for the clean-up after the run. */
    HttpConnection(URI base, Pushed pushed) {
        this.host = base.getHost();
        this.port = base.getPort() < 0 ? 80 : base.getPort();
        this.pushed = pushed;
        this.auth = Auth.of(base);
    }

    /** Where the pushes made on this connection are recorded. */
    Pushed pushed() {
        return pushed;
    }

    /**
     * Sends a request with an optional body and reads the whole response; signed in when the base
     * URL carries a user (see {@link Auth}), sent once more after a 401 that taught it how.
     */
    Response send(String method, String target, Payload body, BodyMode mode, MessageDigest hashBody, String... headers) throws IOException {
        if (auth == null) {
            return exchange(method, target, body, mode, hashBody, headers);
        }
        String authorization = auth.header(target);
        Response response = exchange(method, target, body, mode, hashBody, signed(authorization, headers));
        if (response.status() == 401 && auth.answer(target, authorization, response.header("WWW-Authenticate"))) {
            response = exchange(method, target, body, mode, hashBody, signed(auth.header(target), headers));
        }
        return response;
    }

    private static String[] signed(String authorization, String[] headers) {
        if (authorization == null) {
            return headers;
        }
        String[] all = Arrays.copyOf(headers, headers.length + 2);
        all[headers.length] = "Authorization";
        all[headers.length + 1] = authorization;
        return all;
    }

    private Response exchange(String method, String target, Payload body, BodyMode mode, MessageDigest hashBody, String... headers) throws IOException {
        for (int attempt = 0; ; attempt++) {
            boolean fresh = socket == null;
            connect();
            try {
                writeRequest(method, target, body, headers);
                return readResponse(method, mode, hashBody);
            } catch (IOException e) {
                close();
                // A kept-alive connection the server closed while idle is retried once on a new one.
                if (fresh || attempt > 0) {
                    throw e;
                }
            }
        }
    }

    private void connect() throws IOException {
        if (socket != null) {
            return;
        }
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 10_000);
        socket.setSoTimeout(120_000);
        in = new BufferedInputStream(socket.getInputStream(), BUFFER);
        out = new BufferedOutputStream(socket.getOutputStream(), BUFFER);
    }

    private void writeRequest(String method, String target, Payload body, String[] headers) throws IOException {
        StringBuilder head = new StringBuilder(256).append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ")
                .append(host).append(':').append(port).append("\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        if (body != null || method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
            head.append("Content-Length: ").append(body == null ? 0 : body.length()).append("\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            body.writeTo(out);
        }
        out.flush();
    }

    private Response readResponse(String method, BodyMode mode, MessageDigest hashBody) throws IOException {
        String status = readLine();
        if (status == null || !status.startsWith("HTTP/1.")) {
            throw new IOException("no HTTP response: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        Map<String, String> headers = new TreeMap<>();
        for (String line; !(line = readLine()).isEmpty(); ) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        boolean noBody = method.equals("HEAD") || code == 204 || code == 304 || (code >= 100 && code < 200);
        BodySink sink = new BodySink(mode, hashBody);
        if (!noBody) {
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                readChunked(sink);
            } else if (headers.containsKey("content-length")) {
                readFixed(Long.parseLong(headers.get("content-length")), sink);
            } else {
                readFixed(Long.MAX_VALUE, sink);
                close();
            }
        }
        if ("close".equalsIgnoreCase(headers.get("connection"))) {
            close();
        }
        return new Response(code, headers, sink.bytes(), sink.length);
    }

    private void readFixed(long length, BodySink sink) throws IOException {
        long left = length;
        while (left > 0) {
            int n = in.read(scratch, 0, (int) Math.min(scratch.length, left));
            if (n < 0) {
                if (length == Long.MAX_VALUE) {
                    return;
                }
                throw new IOException("response body ended " + left + " bytes early");
            }
            sink.accept(scratch, n);
            left -= n;
        }
    }

    private void readChunked(BodySink sink) throws IOException {
        while (true) {
            String size = readLine();
            int semicolon = size.indexOf(';');
            long length = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (length == 0) {
                while (!readLine().isEmpty()) {
                    // trailers
                }
                return;
            }
            readFixed(length, sink);
            readLine();
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) c);
        }
        if (line.isEmpty()) {
            throw new IOException("connection closed by the server");
        }
        return line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
            socket = null;
        }
    }

    /** Collects, hashes or counts a response body. */
    private static final class BodySink {
        private final BodyMode mode;
        private final MessageDigest hash;
        private ByteArrayOutputStream kept;
        long length;

        BodySink(BodyMode mode, MessageDigest hash) {
            this.mode = mode;
            this.hash = hash;
        }

        void accept(byte[] buffer, int n) {
            length += n;
            if (hash != null) {
                hash.update(buffer, 0, n);
            }
            if (mode == BodyMode.KEEP) {
                if (kept == null) {
                    kept = new ByteArrayOutputStream();
                }
                kept.write(buffer, 0, n);
            }
        }

        byte[] bytes() {
            return kept == null ? new byte[0] : kept.toByteArray();
        }
    }
}
