package io.berth.invariants;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.ProcessUsage;
import io.berth.testing.ServerProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A real {@code berth} process with the launcher's default JVM options (32 MiB of direct memory)
 * and default limits, pulled by clients that read a 16 MiB blob at a few bytes a second. Before,
 * each held a 1 MiB direct buffer for as long as it liked: about 32 of them exhausted direct memory
 * and every other pull failed. Now a normal pull is served byte-exact meanwhile, no answer is a 5xx,
 * the slow readers are cut by {@code http.limits.minresponserate}, and afterwards the process is
 * alive with its heap, threads and sockets back to idle.
 */
@Isolated("floods a server process with slow loopback readers and measures its heap, threads and sockets")
class SlowReaderFloodTest {

    private static final int BLOB_BYTES = 16 * 1024 * 1024;
    private static final int SLOW_READERS = 80;
    /** A slow reader takes one byte this often: 4 bytes a second. */
    private static final long TRICKLE_MILLIS = 250;
    /** Grace and one window of the rate (12 s of waiting for a reader), with room for a busy machine. */
    private static final long CUT_WITHIN_MILLIS = 30_000;
    private static final int PULL_TIMEOUT_MILLIS = 5_000;
    private static final ProcessUsage.Tolerance BACK_TO_IDLE = new ProcessUsage.Tolerance(12 * 1024, 8, 4);

    @TempDir
    static Path root;
    static ServerProcess server;
    static byte[] blob;
    static String blobPath;
    static ProcessUsage idle;

    /** One slow reader: its socket and the status it was answered with. */
    record Reader(Socket socket, int status) {}

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.builder(root).jvmOptions(ServerProcess.launcherJvmOptions()).start();
        blob = new byte[BLOB_BYTES];
        new Random(11).nextBytes(blob);
        Digest digest = Digest.sha256(blob);
        blobPath = "/v2/slow/app/blobs/" + digest;
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> pushed = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/v2/slow/app/blobs/uploads/?digest=" + digest)).header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
        }
        for (int i = 0; i < 3; i++) {
            pullByteExact(); // warms the pull path, so the idle level is of a server that has served
        }
        idle = ProcessUsage.of(server.pid());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void slowReadersOfABigBlobAreCutWithoutStarvingAPullOrExhaustingMemory() throws Exception {
        List<Reader> readers = new ArrayList<>();
        List<Thread> trickles = new ArrayList<>();
        AtomicBoolean trickling = new AtomicBoolean(true);
        long floodStart = System.nanoTime();
        try {
            for (int i = 0; i < SLOW_READERS; i++) {
                Reader reader = openSlowReader();
                readers.add(reader);
                trickles.add(Thread.ofVirtual().start(() -> trickle(reader, trickling)));
            }
            assertThat(readers).extracting(Reader::status).as("status of every slow reader's answer").containsOnly(200);
            // With every reader holding its response, a normal client pulls the blob, more than once.
            for (int i = 0; i < 3; i++) {
                pullByteExact();
            }
            assertThat(socketsBackToIdleWithin(floodStart + TimeUnit.MILLISECONDS.toNanos(CUT_WITHIN_MILLIS)))
                    .as("the server closed every slow reader's connection within " + CUT_WITHIN_MILLIS + " ms").isTrue();
            stopTrickles(trickling, trickles);
            for (Reader reader : readers) {
                assertThat(drainedShort(reader)).as("a slow reader sees its body end short of the blob").isTrue();
            }
        } finally {
            stopTrickles(trickling, trickles);
            for (Reader reader : readers) {
                reader.socket().close();
            }
        }
        assertThat(server.isAlive()).as("the server did not exit").isTrue();
        assertThat(server.output()).noneMatch(line -> line.contains("OutOfMemoryError"));
        pullByteExact();
        assertBackToIdle();
    }

    /** Opens a connection, asks for the blob, and reads the response's head. */
    private static Reader openSlowReader() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout((int) CUT_WITHIN_MILLIS);
        socket.getOutputStream().write(("GET " + blobPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String head = readHead(socket.getInputStream());
        return new Reader(socket, Integer.parseInt(head.substring(9, 12)));
    }

    /** Takes one byte every {@link #TRICKLE_MILLIS} while {@code trickling}, stopping at the end of the stream. */
    private static void trickle(Reader reader, AtomicBoolean trickling) {
        try {
            InputStream in = reader.socket().getInputStream();
            while (trickling.get() && in.read() >= 0) {
                Thread.sleep(TRICKLE_MILLIS); // the slow reader's pace
            }
        } catch (IOException | InterruptedException e) {
            // cut by the server: the drain afterwards tells
        }
    }

    private static void stopTrickles(AtomicBoolean trickling, List<Thread> trickles) throws InterruptedException {
        trickling.set(false);
        for (Thread trickle : trickles) {
            trickle.join();
        }
    }

    /** Reads what is left at full speed: true when the stream ends (or is reset) before the whole blob came. */
    private static boolean drainedShort(Reader reader) throws IOException {
        long total = 0;
        byte[] buffer = new byte[256 * 1024];
        try {
            InputStream in = reader.socket().getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
            }
        } catch (SocketException e) {
            return true; // reset by the server
        }
        return total < BLOB_BYTES;
    }

    /** GETs the blob on a connection of its own and checks it byte for byte, within {@link #PULL_TIMEOUT_MILLIS}. */
    private static void pullByteExact() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(PULL_TIMEOUT_MILLIS);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PULL_TIMEOUT_MILLIS);
            socket.getOutputStream().write(("GET " + blobPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200 ");
            byte[] body = in.readAllBytes();
            assertThat(System.nanoTime()).as("a normal pull finished within " + PULL_TIMEOUT_MILLIS + " ms").isLessThan(deadline);
            assertThat(Arrays.equals(body, blob)).as("the pulled blob is byte-exact (" + body.length + " bytes)").isTrue();
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection ended in the response head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Whether the process is back to its idle number of sockets before {@code deadline} (nanoTime). */
    private static boolean socketsBackToIdleWithin(long deadline) throws Exception {
        while (ProcessUsage.sockets(server.pid()) > idle.sockets() + BACK_TO_IDLE.sockets()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(250); // connections are closed by the server's own clock; look again
        }
        return true;
    }

    private static void assertBackToIdle() throws Exception {
        ProcessUsage.assertBackTo(idle, BACK_TO_IDLE, server.pid(), Duration.ofSeconds(30));
    }
}
