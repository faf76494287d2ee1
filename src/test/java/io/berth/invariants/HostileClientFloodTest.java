package io.berth.invariants;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.testing.ProcessUsage;
import io.berth.testing.ServerProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A real {@code berth} process with the launcher's default JVM options (a 96 MiB heap, exit on
 * OutOfMemoryError) flooded as a hostile client would: thousands of connections that never finish
 * their headers, and hundreds of uploads whose bodies trickle in. Throughout, a normal client is
 * served within 5 s; afterwards the process is alive and its heap and threads are back to idle.
 */
@Isolated("floods a server process with thousands of loopback sockets and measures its heap and threads")
class HostileClientFloodTest {

    private static final int PARTIAL_HEADER_CONNECTIONS = 2000;
    /** Connects in flight at once: a connect the server's full backlog drops waits a SYN retry, so few openers stall on a busy machine. */
    private static final int FLOOD_OPENERS = 32;
    private static final int TRICKLING_UPLOADS = 300;
    private static final long SERVED_WITHIN_MILLIS = 5_000;
    /** Heap after a full GC may exceed the idle level by 12 MiB, for caches warmed by the flood. */
    private static final ProcessUsage.Tolerance BACK_TO_IDLE = new ProcessUsage.Tolerance(12 * 1024, 8, 16);
    /** Heap the trickling uploads may hold while in flight: under 30 KiB each. */
    private static final long TRICKLE_HEAP_KIB = 8 * 1024;

    @TempDir
    static Path root;
    static ServerProcess server;
    static ProcessUsage idle;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.builder(root)
                .jvmOptions(ServerProcess.launcherJvmOptions())
                // Short enough that the flood's connections are cut within the test's window.
                .env("REGISTRY_HTTP_LIMITS_HEADERTIMEOUT", "3s")
                .start();
        // Warm the paths a flood and the probes take, so the idle level is of a server that has worked.
        for (int i = 0; i < 20; i++) {
            assertThat(servedWithin(SERVED_WITHIN_MILLIS)).isTrue();
            uploadOnce("warm/app", i);
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
    void thousandsOfConnectionsWithPartialHeadersNeitherStopServiceNorExhaustTheHeap() throws Exception {
        List<String> slowProbes = new CopyOnWriteArrayList<>();
        AtomicBoolean flooding = new AtomicBoolean(true);
        Thread probe = Thread.ofVirtual().start(() -> probeWhile(flooding, slowProbes));
        List<Socket> flood = new CopyOnWriteArrayList<>();
        AtomicInteger failedConnects = new AtomicInteger();
        try {
            byte[] partial = "GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Never-Ends: ".getBytes(StandardCharsets.US_ASCII);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            List<Thread> openers = new ArrayList<>();
            for (int t = 0; t < FLOOD_OPENERS; t++) {
                openers.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < PARTIAL_HEADER_CONNECTIONS / FLOOD_OPENERS && System.nanoTime() < deadline; i++) {
                        Socket socket = new Socket();
                        flood.add(socket);
                        try {
                            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2_000);
                            socket.getOutputStream().write(partial);
                        } catch (IOException e) {
                            failedConnects.incrementAndGet(); // refused or reset by a server at its cap: what a flood must expect
                        }
                    }
                }));
            }
            for (Thread opener : openers) {
                opener.join();
            }
            // Hold them past the header timeout, so that the server, not us, has to end them.
            assertThat(servedWithin(SERVED_WITHIN_MILLIS)).as("a normal client right after the flood opened").isTrue();
            assertThat(everyFloodConnectionClosedByServer(flood, 15_000)).as("the header timeout cut every partial request").isTrue();
        } finally {
            flooding.set(false);
            probe.join();
            for (Socket socket : flood) {
                socket.close();
            }
        }
        // The openers stop at their deadline: a busy machine may get through a few less than all of them.
        assertThat(flood).as("connections attempted").hasSizeGreaterThan(PARTIAL_HEADER_CONNECTIONS * 3 / 4);
        assertThat(failedConnects.get()).as("connects that failed").isLessThan(PARTIAL_HEADER_CONNECTIONS);
        assertThat(slowProbes).as("probes not served within 5 s during the flood").isEmpty();
        assertAliveAndBackToIdle();
    }

    @Test
    void hundredsOfTricklingUploadsNeitherStopServiceNorExhaustTheHeap() throws Exception {
        List<String> slowProbes = new CopyOnWriteArrayList<>();
        AtomicBoolean flooding = new AtomicBoolean(true);
        Thread probe = Thread.ofVirtual().start(() -> probeWhile(flooding, slowProbes));
        List<Socket> uploads = new ArrayList<>();
        try {
            List<String> locations = startUploads(TRICKLING_UPLOADS);
            for (String location : locations) {
                Socket socket = new Socket("127.0.0.1", server.port());
                uploads.add(socket);
                String head = "PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                        + "Content-Length: 1048576\r\n\r\n";
                socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            }
            // Half trickle above the minimum rate (4 KiB a second), half far below it (16 bytes a second).
            byte[] fast = new byte[1024];
            byte[] slow = new byte[4];
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            ProcessUsage during = null;
            while (System.nanoTime() < end) {
                if (during == null && System.nanoTime() > end - TimeUnit.SECONDS.toNanos(2)) {
                    during = ProcessUsage.of(server.pid());
                }
                for (int i = 0; i < uploads.size(); i++) {
                    try {
                        OutputStream out = uploads.get(i).getOutputStream();
                        out.write(i % 2 == 0 ? fast : slow);
                    } catch (IOException e) {
                        // cut by the server for being too slow: expected for the slow half
                    }
                }
                Thread.sleep(250); // the trickle's pace, not a wait for the server
            }
            assertThat(servedWithin(SERVED_WITHIN_MILLIS)).as("a normal client while uploads trickle").isTrue();
            // Before, each PATCH in flight pinned ~140 KiB of buffers: 300 of them would need 40 MiB.
            assertThat(during.heapKib()).as("heap after GC with uploads in flight, idle was " + idle)
                    .isLessThanOrEqualTo(idle.heapKib() + TRICKLE_HEAP_KIB);
        } finally {
            flooding.set(false);
            probe.join();
            for (Socket socket : uploads) {
                socket.close(); // the fast half ends as a client abort
            }
        }
        assertThat(slowProbes).as("probes not served within 5 s during the trickle").isEmpty();
        assertAliveAndBackToIdle();
    }

    private static void assertAliveAndBackToIdle() throws Exception {
        assertThat(server.isAlive()).as("the server did not exit (no OutOfMemoryError)").isTrue();
        assertThat(server.output()).noneMatch(line -> line.contains("OutOfMemoryError"));
        assertThat(servedWithin(SERVED_WITHIN_MILLIS)).as("a normal client after the flood").isTrue();
        ProcessUsage.assertBackTo(idle, BACK_TO_IDLE, server.pid(), Duration.ofSeconds(30));
    }

    /** Probes once a second while {@code running}, noting each probe not served in time. */
    private static void probeWhile(AtomicBoolean running, List<String> slow) {
        while (running.get()) {
            try {
                if (!servedWithin(SERVED_WITHIN_MILLIS)) {
                    slow.add("probe at " + System.nanoTime());
                }
                Thread.sleep(1_000);
            } catch (Exception e) {
                slow.add(e.toString());
            }
        }
    }

    /**
     * A normal client: GET /v2/ on a new connection, following Retry-After on 503 (the connection
     * cap), until a 200 or {@code millis} pass.
     */
    private static boolean servedWithin(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", server.port()), (int) millis);
                socket.setSoTimeout((int) millis);
                socket.getOutputStream().write("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = readAll(socket.getInputStream());
                if (answer.startsWith("HTTP/1.1 200 ")) {
                    return true;
                }
                if (!answer.startsWith("HTTP/1.1 503 ") || !answer.contains("Retry-After: ")) {
                    throw new AssertionError("a normal client got: " + answer);
                }
            } catch (IOException e) {
                // refused at the cap before the answer could be read: retry as a client would
            }
            Thread.sleep(1_000); // Retry-After: 1
        }
        return false;
    }

    /** Whether the server closed every connection of the flood (a read sees the end) within {@code millis}. */
    private static boolean everyFloodConnectionClosedByServer(List<Socket> flood, long millis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (Socket socket : flood) {
            if (!socket.isConnected()) {
                continue;
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            socket.setSoTimeout((int) left);
            try {
                readAll(socket.getInputStream());
            } catch (java.net.SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                // reset: closed as well
            }
        }
        return true;
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Starts {@code count} upload sessions, a few at a time, spread over repositories (each may hold only so many). */
    private static List<String> startUploads(int count) throws Exception {
        List<String> locations = new CopyOnWriteArrayList<>();
        List<Thread> starters = new ArrayList<>();
        for (int r = 0; r < 10; r++) {
            String repository = "trickle/r" + r;
            starters.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < count / 10; i++) {
                    try {
                        locations.add(startUpload(repository));
                    } catch (Exception | AssertionError e) {
                        locations.add("failed: " + e);
                    }
                }
            }));
        }
        for (Thread starter : starters) {
            starter.join();
        }
        assertThat(locations).hasSize(count).allMatch(location -> location.startsWith("/v2/trickle/"));
        return locations;
    }

    private static String startUpload(String repository) throws Exception {
        HttpResponse<Void> response = CLIENT.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(response.statusCode()).as("POST " + repository).isEqualTo(202);
        return response.headers().firstValue("Location").orElseThrow();
    }

    private static void uploadOnce(String repository, int seed) throws Exception {
        String location = startUpload(repository);
        HttpResponse<Void> patch = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + location))
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(new byte[64 * 1024 + seed]))
                .header("Content-Type", "application/octet-stream").build(), HttpResponse.BodyHandlers.discarding());
        assertThat(patch.statusCode()).isEqualTo(202);
        HttpResponse<Void> cancel = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + patch.headers().firstValue("Location").orElseThrow())).DELETE().build(), HttpResponse.BodyHandlers.discarding());
        assertThat(cancel.statusCode()).isEqualTo(204);
    }
}
