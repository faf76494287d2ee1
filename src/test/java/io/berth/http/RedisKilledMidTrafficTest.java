package io.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.Images;
import io.berth.testing.RedisServer;
import io.berth.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Redis dies under load and comes back: no request fails, and the cache is used again. */
class RedisKilledMidTrafficTest {

    @TempDir
    Path root;
    RedisServer redis;
    TestRegistry registry;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        registry = TestRegistry.builder(root)
                // The cache's pause after a Redis failure runs on the registry's clock: here, real time.
                .clock(Clock.systemUTC())
                .env("REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", "redis")
                .env("REGISTRY_REDIS_ADDR", redis.addr())
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        registry.close();
        redis.close();
    }

    @Test
    void killingRedisMidTrafficFailsNoRequestAndTheCacheIsUsedAgainAfterItsRestart() throws Exception {
        Images images = new Images(registry);
        List<byte[]> contents = new ArrayList<>();
        List<Digest> blobs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            byte[] content = ("layer under load " + i).getBytes();
            contents.add(content);
            blobs.add(registry.push("load", content));
        }
        Digest manifest = images.push("load", "v1", images.image("load", "under load", 2));

        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong requests = new AtomicLong();
        AtomicLong pushes = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            int client = c;
            clients.add(Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    int pick = ThreadLocalRandom.current().nextInt(blobs.size());
                    try {
                        expect(registry.head("/v2/load/blobs/" + blobs.get(pick)), 200, failures);
                        HttpResponse<byte[]> blob = registry.get("/v2/load/blobs/" + blobs.get(pick));
                        expect(blob, 200, failures);
                        if (blob.statusCode() == 200 && !Arrays.equals(blob.body(), contents.get(pick))) {
                            failures.add("blob GET returned other bytes");
                        }
                        expect(registry.get("/v2/load/manifests/" + manifest), 200, failures);
                        expect(registry.head("/v2/load/manifests/" + manifest), 200, failures);
                        byte[] fresh = ("pushed by " + client + " at " + pushes.incrementAndGet()).getBytes();
                        Digest pushed = registry.push("load", fresh);
                        expect(registry.head("/v2/load/blobs/" + pushed), 200, failures);
                        requests.addAndGet(6);
                    } catch (Throwable e) {
                        failures.add(e.toString());
                    }
                }
            }));
        }
        // Traffic before, during and after the outage: each phase lasts until enough requests went through it.
        awaitMoreRequests(requests, failures);
        redis.kill();
        awaitMoreRequests(requests, failures);
        assertThat(registry.cacheStats().errors()).as("the outage was noticed").isPositive();
        redis.restart();
        awaitMoreRequests(requests, failures);
        running.set(false);
        for (Thread client : clients) {
            assertThat(client.join(Duration.ofSeconds(30))).as("client stopped").isTrue();
        }

        assertThat(failures).as("failed requests out of %d", requests.get()).isEmpty();
        long hitsBefore = registry.cacheStats().hits();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (registry.cacheStats().hits() <= hitsBefore + 5 && System.nanoTime() < deadline) {
            assertThat(registry.head("/v2/load/blobs/" + blobs.get(0)).statusCode()).isEqualTo(200);
            Thread.sleep(20);
        }
        assertThat(registry.cacheStats().hits()).as("hits after the restart").isGreaterThan(hitsBefore + 5);
    }

    /** Waits for the clients to make 60 more requests, failing early when any failed or after a minute. */
    private static void awaitMoreRequests(AtomicLong requests, Queue<String> failures) throws InterruptedException {
        long target = requests.get() + 60;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (requests.get() < target) {
            assertThat(failures).as("failed requests").isEmpty();
            assertThat(System.nanoTime()).as("60 more requests within a minute").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static void expect(HttpResponse<byte[]> response, int status, Queue<String> failures) {
        if (response.statusCode() != status) {
            failures.add(response.request().method() + " " + response.request().uri().getPath() + " -> " + response.statusCode()
                    + " " + new String(response.body()));
        }
    }
}
