package io.berth.http;

import static io.berth.testing.TestRegistry.withQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.TestRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * {@code http.limits.connections}, {@code headertimeout} and {@code minbodyrate} against raw
 * sockets that behave as a hostile client would.
 */
@Isolated("counts the server's connections and waits on its timeouts")
class ConnectionLimitsTest {

    private static final int CAP = 20;
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^Content-Length: *(\\d+)");

    @TempDir
    static Path root;
    static TestRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        registry = TestRegistry.builder(root)
                .env("REGISTRY_HTTP_LIMITS_CONNECTIONS", String.valueOf(CAP))
                .env("REGISTRY_HTTP_LIMITS_HEADERTIMEOUT", "1s")
                .env("REGISTRY_HTTP_LIMITS_MINBODYRATE", "1024")
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    @Test
    void theConnectionPastTheCapGets503WithRetryAfterAndAFreedOneLetsANewOneIn() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < CAP; i++) {
                Socket socket = connect();
                held.add(socket);
                assertThat(status(get(socket))).as("connection " + (i + 1)).isEqualTo(200);
            }
            try (Socket extra = connect()) {
                String answer = get(extra);
                assertThat(status(answer)).as(answer).isEqualTo(503);
                assertThat(answer).containsPattern("(?im)^Retry-After: *\\d+\\s*$")
                        .containsPattern("(?im)^X-Request-Id: *[0-9a-f]{16}\\s*$")
                        .containsIgnoringCase("Content-Type: application/json")
                        .contains("{\"errors\":[{\"code\":\"UNAVAILABLE\"");
            }
            assertThat(status(get(held.getFirst()))).as("a connection within the cap still works").isEqualTo(200);

            held.removeLast().close();
            assertThat(firstStatusWithin(5_000)).as("a new connection once one closed").isEqualTo(200);
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void aRequestLineTrickledByteByByteIsCutAtTheHeaderTimeout() throws Exception {
        try (Socket socket = connect()) {
            socket.setSoTimeout(100);
            OutputStream out = socket.getOutputStream();
            byte[] line = "GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            boolean closed = false;
            // One byte every 100 ms keeps Jetty's idle timeout from ever firing: only the header deadline can end this.
            for (int i = 0; !closed && System.nanoTime() < deadline; i++) {
                try {
                    out.write(i < line.length ? line[i] : 'x');
                    out.flush();
                    closed = socket.getInputStream().read() == -1;
                } catch (SocketTimeoutException e) {
                    // nothing from the server yet: send the next byte
                } catch (SocketException e) {
                    closed = true;
                }
            }
            assertThat(closed).as("closed within 5 s of a 1 s header timeout").isTrue();
        }
    }

    @Test
    void aStalledBodyIsCutAndTheUploadResumesFromTheBytesReceived() throws Exception {
        byte[] content = new byte[4000];
        new Random(5).nextBytes(content);
        String location = registry.startUpload("stall/app");
        try (Socket socket = connect()) {
            socket.setSoTimeout(10_000);
            String head = "PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: " + content.length + "\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(content, 0, 1000);
            out.flush();
            // Then nothing: after the grace and the time 1000 bytes buy at 1024 B/s, the server gives up.
            String answer = readAnswer(socket.getInputStream());
            assertThat(answer).as("408 or a plain close").satisfiesAnyOf(
                    a -> assertThat(a).isEmpty(),
                    a -> assertThat(a).startsWith("HTTP/1.1 408 ").contains("\"code\":\"BAD_REQUEST\""));
        }
        HttpResponse<byte[]> status = registry.get(location);
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).hasValue("0-999");

        HttpResponse<byte[]> rest = registry.send("PATCH", status.headers().firstValue("Location").orElseThrow(),
                Arrays.copyOfRange(content, 1000, content.length), "Content-Type", "application/octet-stream",
                "Content-Range", "1000-" + (content.length - 1));
        assertThat(rest.statusCode()).isEqualTo(202);
        Digest digest = Digest.sha256(content);
        HttpResponse<byte[]> done = registry.send("PUT", withQuery(rest.headers().firstValue("Location").orElseThrow(), "digest=" + digest), null);
        assertThat(done.statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/stall/app/blobs/" + digest).body()).isEqualTo(content);
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", registry.port());
        socket.setSoTimeout(5_000);
        return socket;
    }

    /** A keep-alive GET of /v2/ on the socket; the whole answer. */
    private static String get(Socket socket) throws IOException {
        socket.getOutputStream().write("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return readAnswer(socket.getInputStream());
    }

    /** New connections until one is answered other than 503, for up to {@code millis}; its status. */
    private static int firstStatusWithin(long millis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        int status;
        do {
            try (Socket socket = connect()) {
                status = status(get(socket));
            }
        } while (status == 503 && System.nanoTime() < deadline && pause());
        return status;
    }

    private static boolean pause() throws InterruptedException {
        Thread.sleep(50); // the server notices the closed connection asynchronously; nothing to wait on but a retry
        return true;
    }

    /** The head and the body its Content-Length announces, or what came before the server closed. */
    private static String readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) != -1; ) {
                all.write(buffer, 0, n);
                String text = all.toString(StandardCharsets.ISO_8859_1);
                int split = text.indexOf("\r\n\r\n");
                Matcher length = CONTENT_LENGTH.matcher(split < 0 ? "" : text.substring(0, split));
                if (split >= 0 && length.find() && text.length() - split - 4 >= Integer.parseInt(length.group(1))) {
                    break;
                }
            }
        } catch (SocketException e) {
            // reset by the server: what arrived before is the answer
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    private static int status(String answer) {
        return answer.startsWith("HTTP/1.1 ") ? Integer.parseInt(answer.substring(9, 12)) : -1;
    }
}
