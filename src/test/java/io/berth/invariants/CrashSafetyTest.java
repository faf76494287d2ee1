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
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the server with SIGKILL while clients push, several times over, then checks that nothing
 * half written is visible: every blob hashes to its address, every link names a whole blob, and
 * every push the server acknowledged is there. Every answer the clients get is accounted for: a
 * 201, or a connection cut by the kill; anything else (a 5xx, a cut before the kill) fails the test.
 */
class CrashSafetyTest {

    static final int ROUNDS = 4;
    static final int CLIENTS = 4;

    @TempDir
    Path root;

    /** What the clients of one round saw. */
    record Outcomes(AtomicBoolean killed, AtomicInteger acknowledged, AtomicInteger cut, List<Digest> digests, Queue<String> unexpected) {
        Outcomes() {
            this(new AtomicBoolean(), new AtomicInteger(), new AtomicInteger(), new CopyOnWriteArrayList<>(), new ConcurrentLinkedQueue<>());
        }

        /** An HTTP answer other than the one the step expects: always wrong, killed or not. */
        void wrongStatus(String step, int status) {
            unexpected.add(step + " answered " + status);
        }

        /** A broken connection: the kill's doing once it happened, a failure before. */
        void broken(String step, Exception e) {
            if (killed.get()) {
                cut.incrementAndGet();
            } else {
                unexpected.add(step + " failed before the kill: " + e);
            }
        }
    }

    @Test
    void killDuringPushesLeavesOnlyWholeBlobsAndLinks() throws Exception {
        Random random = new Random(2026);
        List<Digest> acknowledged = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            Outcomes outcomes = new Outcomes();
            // The kill lands after a varying number of acknowledged pushes, at no fixed point of any one push.
            int before = 2 + random.nextInt(6);
            try (ServerProcess server = ServerProcess.start(root, List.of("-Xmx128m"))) {
                List<Thread> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    long seed = random.nextLong();
                    clients.add(Thread.ofPlatform().start(() -> push(server.port(), seed, outcomes)));
                }
                awaitAcknowledged(outcomes, before, clients);
                outcomes.killed().set(true);
                server.kill();
                for (Thread client : clients) {
                    assertThat(client.join(Duration.ofSeconds(30))).as("client stopped after the kill").isTrue();
                }
            }
            assertThat(outcomes.unexpected()).as("answers other than 201 or a cut by the kill, round " + round).isEmpty();
            assertThat(outcomes.cut().get()).as("clients stopped by the kill, round " + round).isEqualTo(CLIENTS);
            assertThat(outcomes.acknowledged().get()).as("pushes acknowledged before kill " + round).isGreaterThanOrEqualTo(before);
            assertThat(outcomes.digests()).hasSize(outcomes.acknowledged().get());
            acknowledged.addAll(outcomes.digests());
        }

        Path v2 = root.resolve("docker/registry/v2");
        try (Stream<Path> files = Files.walk(v2.resolve("blobs"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(file.getFileName().toString()).as(file.toString()).isEqualTo("data");
                String hex = file.getParent().getFileName().toString();
                assertThat(Digest.sha256(Files.readAllBytes(file)).hex()).as("content of " + file).isEqualTo(hex);
            }
        }
        try (TestRegistry registry = TestRegistry.start(root)) {
            int links = 0;
            try (Stream<Path> paths = Files.walk(v2.resolve("repositories"))) {
                for (Path link : paths.filter(p -> p.getFileName().toString().equals("link")).toList()) {
                    Digest digest = Digest.parse(Files.readString(link));
                    assertThat(digest.hex()).isEqualTo(link.getParent().getFileName().toString());
                    String repository = v2.resolve("repositories").relativize(link).toString().split("/_layers/")[0];
                    HttpResponse<byte[]> blob = registry.get("/v2/" + repository + "/blobs/" + digest);
                    assertThat(blob.statusCode()).as("linked blob " + digest).isEqualTo(200);
                    assertThat(Digest.sha256(blob.body())).isEqualTo(digest);
                    links++;
                }
            }
            assertThat(links).as("links on storage").isGreaterThanOrEqualTo(acknowledged.size());
            for (Digest digest : acknowledged) {
                assertThat(registry.head("/v2/crash/blobs/" + digest).statusCode()).as("acknowledged " + digest).isEqualTo(200);
            }
        }
    }

    /** Waits until the clients have {@code count} acknowledged pushes, or fails when they stop or a minute passes. */
    private static void awaitAcknowledged(Outcomes outcomes, int count, List<Thread> clients) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (outcomes.acknowledged().get() < count) {
            assertThat(outcomes.unexpected()).as("answers before the kill").isEmpty();
            assertThat(clients).as("clients still pushing").anyMatch(Thread::isAlive);
            assertThat(System.nanoTime()).as("%d pushes acknowledged within a minute", count).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** Pushes blobs of 1 KiB to 3 MiB, alternating single-request and chunked, until the kill cuts it off. */
    private static void push(int port, long seed, Outcomes outcomes) {
        Random random = new Random(seed);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        URI base = URI.create("http://127.0.0.1:" + port);
        while (true) {
            byte[] content = new byte[1024 + random.nextInt(3 << 20)];
            random.nextBytes(content);
            Digest digest = Digest.sha256(content);
            String step = "push";
            try {
                HttpResponse<Void> done;
                if (random.nextBoolean()) {
                    step = "single-request POST";
                    done = client.send(HttpRequest.newBuilder(base.resolve("/v2/crash/blobs/uploads/?digest=" + digest))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(content)).build(), HttpResponse.BodyHandlers.discarding());
                } else {
                    step = "POST";
                    HttpResponse<Void> started = client.send(HttpRequest.newBuilder(base.resolve("/v2/crash/blobs/uploads/"))
                            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
                    if (!accepted(started, step, outcomes)) {
                        return;
                    }
                    step = "PATCH";
                    int half = content.length / 2;
                    HttpResponse<Void> patched = client.send(HttpRequest.newBuilder(base.resolve(location(started)))
                            .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(content, 0, half))).build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (!accepted(patched, step, outcomes)) {
                        return;
                    }
                    step = "PUT";
                    done = client.send(HttpRequest.newBuilder(base.resolve(location(patched) + "&digest=" + digest))
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(content, half, content.length))).build(),
                            HttpResponse.BodyHandlers.discarding());
                }
                if (done.statusCode() != 201) {
                    outcomes.wrongStatus(step, done.statusCode());
                    return;
                }
                outcomes.digests().add(digest);
                outcomes.acknowledged().incrementAndGet();
            } catch (IOException e) {
                outcomes.broken(step, e);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                outcomes.unexpected().add(step + " interrupted");
                return;
            }
        }
    }

    /** A step of a chunked push answered 202 with a Location, or the wrong answer is recorded. */
    private static boolean accepted(HttpResponse<?> response, String step, Outcomes outcomes) {
        if (response.statusCode() != 202 || response.headers().firstValue("Location").isEmpty()) {
            outcomes.wrongStatus(step, response.statusCode());
            return false;
        }
        return true;
    }

    private static String location(HttpResponse<?> response) {
        return response.headers().firstValue("Location").orElseThrow();
    }
}
