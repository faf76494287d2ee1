package io.berth.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/** Sends bytes a well-behaved HTTP client never would, and reads the raw answer. */
public final class RawHttp {

    /** A response as read off the wire. */
    public record Response(int status, String head, String body) {}

    private RawHttp() {}

    /** Sends {@code request} verbatim (lines ending in CRLF) and reads until the server closes or replies in full. */
    public static Response send(int port, byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
                socket.shutdownOutput();
            } catch (SocketException refused) {
                // The server answered and closed before taking all of it (a header too large): read its answer.
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int split = text.indexOf("\r\n\r\n");
            String head = split < 0 ? text : text.substring(0, split);
            String body = split < 0 ? "" : text.substring(split + 4);
            // A server that cuts the connection without answering reports status -1.
            int status = head.startsWith("HTTP/1.1 ") && head.length() >= 12 ? Integer.parseInt(head.substring(9, 12)) : -1;
            return new Response(status, head, body);
        }
    }

    public static Response request(int port, String method, String target, String... headerLines) throws IOException {
        StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        request.append("Host: 127.0.0.1\r\nConnection: close\r\n");
        for (String line : headerLines) {
            request.append(line).append("\r\n");
        }
        request.append("\r\n");
        return send(port, request.toString().getBytes(StandardCharsets.ISO_8859_1));
    }
}
