package io.berth;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.testing.ServerProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM and SIGINT on a real {@code berth serve} process: new connections are refused at once,
 * requests in flight finish within {@code http.draintimeout}, the rest are cut, and the process
 * exits 0 either way; an upload cut by the deadline resumes after a restart.
 */
// Alone: it bounds how long a drain and an exit take, which a busy machine would stretch.
@Isolated
class GracefulShutdownTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path root;

    @Test
    void idleServerExitsZeroPromptlyOnSigtermAndSigint() throws Exception {
        for (String signal : new String[] {"TERM", "INT"}) {
            try (ServerProcess server = ServerProcess.builder(root).start()) {
                // A keep-alive connection left idle by a client must not hold the stop up.
                assertThat(get(server, "/v2/").statusCode()).isEqualTo(200);
                long start = System.nanoTime();
                Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(server.pid())).start();
                assertThat(kill.waitFor()).isZero();
                int exit = server.terminate(20, TimeUnit.SECONDS);
                assertThat(exit).as("SIG%s exit code; output %s", signal, server.output()).isZero();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
                assertThat(String.join("\n", server.output())).contains("SIG" + signal);
            }
        }
    }

    @Test
    void uploadInFlightAtSigtermCompletesAndTheProcessExitsZero() throws Exception {
        byte[] blob = Pattern.bytes(0, 2 * 1024 * 1024);
        int pieces = 16;
        try (ServerProcess server = ServerProcess.builder(root).start()) {
            String location = startUpload(server);
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write(("PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                        + "Content-Length: " + blob.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                int piece = blob.length / pieces;
                out.write(blob, 0, piece);
                out.flush();
                Thread.sleep(300);

                CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> terminate(server));
                assertThat(refusedWithin(server.port(), Duration.ofSeconds(5)))
                        .as("new connections are refused once the drain begins").isTrue();
                for (int i = 1; i < pieces; i++) {
                    Thread.sleep(150);
                    out.write(blob, i * piece, i == pieces - 1 ? blob.length - i * piece : piece);
                    out.flush();
                }
                String response = readHead(socket.getInputStream());
                assertThat(response).startsWith("HTTP/1.1 202");
                assertThat(response).contains("Range: 0-" + (blob.length - 1));
                assertThat(exit.get(30, TimeUnit.SECONDS)).as("exit code; output %s", server.output()).isZero();
            }
        }
    }

    @Test
    void uploadCutAtTheDrainDeadlineResumesAfterRestart() throws Exception {
        String location;
        AtomicLong sent = new AtomicLong();
        try (ServerProcess server = ServerProcess.builder(root).env("REGISTRY_HTTP_DRAINTIMEOUT", "2s").start()) {
            location = startUpload(server);
            Socket socket = new Socket("127.0.0.1", server.port());
            // A client that never finishes: a large declared length, a first burst, then a trickle.
            Thread client = Thread.ofVirtual().start(() -> {
                try (socket; OutputStream out = socket.getOutputStream()) {
                    out.write(("PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                            + "Content-Length: " + (1L << 30) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    int step = 1024 * 1024;
                    while (true) {
                        out.write(Pattern.bytes(sent.get(), step));
                        out.flush();
                        sent.addAndGet(step);
                        step = 4096;
                        Thread.sleep(50);
                    }
                } catch (IOException | InterruptedException e) {
                    // cut by the server: expected
                }
            });
            while (sent.get() < 1024 * 1024) {
                Thread.sleep(20);
            }
            Thread.sleep(500);
            long start = System.nanoTime();
            int exit = terminate(server);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(exit).as("exit code; output %s", server.output()).isZero();
            assertThat(took).as("the drain waited for the upload").isGreaterThan(Duration.ofMillis(1800));
            assertThat(took).as("and then the process exited promptly").isLessThan(Duration.ofSeconds(8));
            assertThat(String.join("\n", server.output())).contains("http.draintimeout");
            client.join(10_000);
        }

        try (ServerProcess server = ServerProcess.builder(root).start()) {
            HttpResponse<byte[]> status = send(server, "GET", location, null);
            assertThat(status.statusCode()).isEqualTo(204);
            String range = status.headers().firstValue("Range").orElseThrow();
            long stored = Long.parseLong(range.substring(range.indexOf('-') + 1)) + 1;
            assertThat(stored).as("bytes kept of the %d sent", sent.get()).isBetween(1024L * 1024, sent.get());

            long total = stored + 300_000;
            String next = status.headers().firstValue("Location").orElseThrow();
            HttpResponse<byte[]> rest = send(server, "PATCH", next, Pattern.bytes(stored, (int) (total - stored)),
                    "Content-Range", stored + "-" + (total - 1));
            assertThat(rest.statusCode()).isEqualTo(202);
            String digest = Pattern.digest(total);
            HttpResponse<byte[]> done = send(server, "PUT",
                    rest.headers().firstValue("Location").orElseThrow() + "&digest=" + digest, null);
            assertThat(done.statusCode()).as(new String(done.body(), StandardCharsets.UTF_8)).isEqualTo(201);
            HttpResponse<byte[]> pulled = send(server, "GET", "/v2/drain/app/blobs/" + digest, null);
            assertThat(pulled.body()).hasSize((int) total);
            assertThat(pulled.body()).isEqualTo(Pattern.bytes(0, (int) total));
        }
    }

    /** Bytes that depend only on their offset, so a resumed upload can send exactly what was not stored. */
    private static final class Pattern {
        static byte[] bytes(long offset, int length) {
            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++) {
                long at = offset + i;
                bytes[i] = (byte) (at * 131 + (at >>> 9) + (at >>> 17));
            }
            return bytes;
        }

        static String digest(long length) throws Exception {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (long at = 0; at < length; at += 65536) {
                sha256.update(bytes(at, (int) Math.min(65536, length - at)));
            }
            return "sha256:" + HexFormat.of().formatHex(sha256.digest());
        }
    }

    private static int terminate(ServerProcess server) {
        try {
            return server.terminate(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean refusedWithin(int port, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                Thread.sleep(50);
            } catch (ConnectException e) {
                return true;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        return false;
    }

    private static String startUpload(ServerProcess server) throws Exception {
        HttpResponse<byte[]> start = send(server, "POST", "/v2/drain/app/blobs/uploads/", null);
        assertThat(start.statusCode()).isEqualTo(202);
        return start.headers().firstValue("Location").orElseThrow();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static HttpResponse<byte[]> get(ServerProcess server, String path) throws Exception {
        return send(server, "GET", path, null);
    }

    private static HttpResponse<byte[]> send(ServerProcess server, String method, String pathAndQuery, byte[] body,
            String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()).resolve(pathAndQuery))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
