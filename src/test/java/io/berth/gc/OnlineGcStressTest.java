package io.berth.gc;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import io.berth.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The stress test: four clients push images (blobs, a pause of up to 1.5 s, then the
 * manifest) and delete some, for 20 s on loopback, while online collection runs every second with a
 * delay of one second. (Without the claims of {@link io.berth.storage.GcClaims} it fails: manifests
 * checked against the cache are acknowledged with blobs swept during their pause.)
 * No acknowledged (201) manifest that was not deleted ever misses a blob, during the load or after,
 * no request gets a 5xx, and the blobs that only deleted images used are gone afterwards.
 */
@Isolated
class OnlineGcStressTest {

    private static final int CLIENTS = 4;
    private static final Duration LOAD = Duration.ofSeconds(20);
    private static final int MAX_IMAGES_PER_CLIENT = 300;
    private static final byte[] BASE_LAYER = "a base layer every image shares, pushed again each time".getBytes();

    /** An image a client pushed: its manifest's digest and its blobs. */
    record Pushed(String repository, Digest manifest, List<Digest> blobs) {}

    private final Queue<Pushed> acknowledged = new ConcurrentLinkedQueue<>();
    private final Queue<Pushed> deleted = new ConcurrentLinkedQueue<>();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final Queue<String> refused = new ConcurrentLinkedQueue<>();

    @Test
    void noAcknowledgedManifestLosesABlobWhileCollectionRunsEverySecond() throws Exception {
        try (TestRegistry registry = TestRegistry.builder(Files.createTempDirectory("gc-stress")).clock(Clock.systemUTC())
                .env("REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", "inmemory")
                .env("REGISTRY_STORAGE_MAINTENANCE_GC_ENABLED", "true")
                .env("REGISTRY_STORAGE_MAINTENANCE_GC_INTERVAL", "1s")
                .env("REGISTRY_STORAGE_MAINTENANCE_GC_DELAY", "1s")
                .env("REGISTRY_HTTP_DEBUG_ADDR", "127.0.0.1:0")
                .env("REGISTRY_HTTP_DEBUG_PROMETHEUS_ENABLED", "true")
                .start()) {
            long end = System.nanoTime() + LOAD.toNanos();
            try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
                List<Future<?>> running = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    running.add(clients.submit(() -> load(registry, client, end)));
                }
                for (Future<?> client : running) {
                    client.get(LOAD.toSeconds() + 60, TimeUnit.SECONDS);
                }
            }
            assertThat(failures).isEmpty();
            // Pushes whose pause outlasted the delay may be refused (their blobs were swept): never acknowledged and lost.
            assertThat(acknowledged).as("%d pushes refused", refused.size()).hasSizeGreaterThan(20);

            Set<Digest> kept = new HashSet<>();
            for (Pushed image : acknowledged) {
                if (!deleted.contains(image)) {
                    check(registry, image, "after the load");
                    kept.addAll(image.blobs());
                }
            }
            awaitCollected(registry, kept);
            assertThat(failures).isEmpty();
            String metrics = registry.debugGet("/metrics").body();
            assertThat(metric(metrics, "berth_gc_runs_total{outcome=\"success\"}")).isGreaterThanOrEqualTo(5);
            assertThat(metric(metrics, "berth_gc_runs_total{outcome=\"failure\"}")).isZero();
        }
    }

    /** One client: push, pause, PUT; now and then delete an image of its own and pull back another. */
    private void load(TestRegistry registry, int client, long end) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<Pushed> mine = new ArrayList<>();
        try {
            for (int n = 0; n < MAX_IMAGES_PER_CLIENT && System.nanoTime() < end; n++) {
                String repository = "stress/client-" + client;
                Pushed image = push(registry, repository, client + "-" + n, random);
                if (image != null) {
                    mine.add(image);
                    acknowledged.add(image);
                }
                if (!mine.isEmpty() && random.nextInt(3) == 0) {
                    Pushed doomed = mine.remove(random.nextInt(mine.size()));
                    deleted.add(doomed);
                    expect(registry.send("DELETE", "/v2/" + doomed.repository() + "/manifests/" + doomed.manifest(), null), 202,
                            "delete " + doomed.manifest());
                }
                if (!mine.isEmpty()) {
                    check(registry, mine.get(random.nextInt(mine.size())), "during the load");
                }
            }
        } catch (Exception e) {
            failures.add("client " + client + ": " + e);
        }
    }

    private Pushed push(TestRegistry registry, String repository, String seed, ThreadLocalRandom random) throws Exception {
        List<Digest> blobs = new ArrayList<>();
        byte[] config = ("{\"seed\":\"" + seed + "\"}").getBytes();
        blobs.add(registry.push(repository, config));
        blobs.add(registry.push(repository, BASE_LAYER));
        byte[] own = new byte[1024 + random.nextInt(4096)];
        random.nextBytes(own);
        blobs.add(registry.push(repository, own));
        Thread.sleep(random.nextInt(1500)); // the pause between the blobs and the manifest, at times past the delay

        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.put("config", Images.descriptor(Images.OCI_CONFIG, blobs.get(0), config.length));
        manifest.put("layers", List.of(Images.descriptor(Images.OCI_LAYER, blobs.get(1), BASE_LAYER.length),
                Images.descriptor(Images.OCI_LAYER, blobs.get(2), own.length)));
        byte[] bytes = Images.json(manifest);
        HttpResponse<byte[]> answer = registry.send("PUT", "/v2/" + repository + "/manifests/" + seed, bytes,
                "Content-Type", MediaTypes.OCI_MANIFEST);
        if (answer.statusCode() == 201) {
            return new Pushed(repository, Digest.sha256(bytes), blobs);
        }
        if (answer.statusCode() == 404 && "MANIFEST_BLOB_UNKNOWN".equals(TestRegistry.errorCode(answer))) {
            refused.add(seed); // a blob swept before its manifest came: not acknowledged, so allowed
            return null;
        }
        failures.add("PUT " + seed + ": " + answer.statusCode() + " " + new String(answer.body()));
        return null;
    }

    /** Pulls an acknowledged image whole: its manifest and every blob, hashed. */
    private void check(TestRegistry registry, Pushed image, String when) throws Exception {
        if (deleted.contains(image)) {
            return;
        }
        HttpResponse<byte[]> manifest = registry.get("/v2/" + image.repository() + "/manifests/" + image.manifest());
        if (manifest.statusCode() != 200 && !deleted.contains(image)) {
            failures.add(when + ": manifest " + image.manifest() + " answered " + manifest.statusCode());
        }
        for (Digest blob : image.blobs()) {
            HttpResponse<byte[]> pulled = registry.get("/v2/" + image.repository() + "/blobs/" + blob);
            if ((pulled.statusCode() != 200 || !Digest.sha256(pulled.body()).equals(blob)) && !deleted.contains(image)) {
                failures.add(when + ": blob " + blob + " of " + image.manifest() + " answered " + pulled.statusCode());
            }
        }
    }

    private void expect(HttpResponse<byte[]> answer, int status, String what) {
        if (answer.statusCode() != status) {
            failures.add(what + ": " + answer.statusCode() + " " + new String(answer.body()));
        }
    }

    /** Waits until every blob that only deleted images used is gone (collections run every second). */
    private void awaitCollected(TestRegistry registry, Set<Digest> kept) throws Exception {
        Set<Pushed> doomed = new HashSet<>(deleted);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (Pushed image : doomed) {
            for (Digest blob : image.blobs()) {
                if (kept.contains(blob)) {
                    continue;
                }
                while (registry.get("/v2/" + image.repository() + "/blobs/" + blob).statusCode() != 404) {
                    assertThat(System.nanoTime()).as("collected within 30 s: " + blob).isLessThan(deadline);
                    Thread.sleep(100);
                }
            }
        }
        assertThat(Collections.unmodifiableSet(doomed)).isNotEmpty();
    }

    private static double metric(String scrape, String series) {
        Matcher value = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)").matcher(scrape);
        assertThat(value.find()).as(series).isTrue();
        return Double.parseDouble(value.group(1));
    }
}
