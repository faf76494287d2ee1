package io.berth.invariants;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.ServerProcess;
import io.berth.testing.TestRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the server with SIGKILL while clients push, several times over, then checks that nothing
 * half written is visible: every blob hashes to its address and every link names a whole blob.
 */
class CrashSafetyTest {

    static final int ROUNDS = 4;
    static final int CLIENTS = 4;

    @TempDir
    Path root;

    @Test
    void killDuringPushesLeavesOnlyWholeBlobsAndLinks() throws Exception {
        Random random = new Random(2026);
        AtomicInteger acknowledged = new AtomicInteger();
        List<Digest> acknowledgedDigests = Collections.synchronizedList(new ArrayList<>());
        for (int round = 0; round < ROUNDS; round++) {
            try (ServerProcess server = ServerProcess.start(root, List.of("-Xmx128m"))) {
                AtomicBoolean running = new AtomicBoolean(true);
                List<Thread> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    long seed = random.nextLong();
                    clients.add(Thread.ofPlatform().start(() -> push(server.port(), seed, running, acknowledged, acknowledgedDigests)));
                }
                Thread.sleep(600 + random.nextInt(900));
                server.kill();
                running.set(false);
                for (Thread client : clients) {
                    client.join(Duration.ofSeconds(30));
                }
            }
        }
        assertThat(acknowledged.get()).as("pushes acknowledged before the kills").isPositive();

        Path v2 = root.resolve("docker/registry/v2");
        try (Stream<Path> files = Files.walk(v2.resolve("blobs"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(file.getFileName().toString()).as(file.toString()).isEqualTo("data");
                String hex = file.getParent().getFileName().toString();
                assertThat(Digest.sha256(Files.readAllBytes(file)).hex()).as("content of " + file).isEqualTo(hex);
            }
        }
        try (TestRegistry registry = TestRegistry.start(root)) {
            try (Stream<Path> links = Files.walk(v2.resolve("repositories"))) {
                for (Path link : links.filter(p -> p.getFileName().toString().equals("link")).toList()) {
                    Digest digest = Digest.parse(Files.readString(link));
                    assertThat(digest.hex()).isEqualTo(link.getParent().getFileName().toString());
                    String repository = v2.resolve("repositories").relativize(link).toString().split("/_layers/")[0];
                    HttpResponse<byte[]> blob = registry.get("/v2/" + repository + "/blobs/" + digest);
                    assertThat(blob.statusCode()).as("linked blob " + digest).isEqualTo(200);
                    assertThat(Digest.sha256(blob.body())).isEqualTo(digest);
                }
            }
            for (Digest digest : acknowledgedDigests) {
                assertThat(registry.head("/v2/crash/blobs/" + digest).statusCode()).as("acknowledged " + digest).isEqualTo(200);
            }
        }
    }

    /** Pushes blobs of 1 KiB to 3 MiB, alternating single-request and chunked, until stopped or cut off. */
    private static void push(int port, long seed, AtomicBoolean running, AtomicInteger acknowledged, List<Digest> digests) {
        Random random = new Random(seed);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        URI base = URI.create("http://127.0.0.1:" + port);
        while (running.get()) {
            byte[] content = new byte[1024 + random.nextInt(3 << 20)];
            random.nextBytes(content);
            Digest digest = Digest.sha256(content);
            try {
                int status;
                if (random.nextBoolean()) {
                    status = client.send(HttpRequest.newBuilder(base.resolve("/v2/crash/blobs/uploads/?digest=" + digest))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(content)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                } else {
                    String location = client.send(HttpRequest.newBuilder(base.resolve("/v2/crash/blobs/uploads/"))
                            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding())
                            .headers().firstValue("Location").orElseThrow();
                    int half = content.length / 2;
                    location = client.send(HttpRequest.newBuilder(base.resolve(location))
                            .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(content, 0, half))).build(),
                            HttpResponse.BodyHandlers.discarding()).headers().firstValue("Location").orElseThrow();
                    status = client.send(HttpRequest.newBuilder(base.resolve(location + "&digest=" + digest))
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(content, half, content.length))).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                }
                if (status == 201) {
                    acknowledged.incrementAndGet();
                    digests.add(digest);
                }
            } catch (IOException | RuntimeException e) {
                return; // the server was killed under us
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
