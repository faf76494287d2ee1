package io.berth.gc;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.Images;
import io.berth.testing.S3Proxy;
import io.berth.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Online collection in running servers, every second with a delay of five: a deleted image's
 * blobs go, a kept one stays whole, and the runs show in the metrics; on S3, two replicas share
 * the bucket and take turns through the storage lease. The delay is longer than a push takes on a
 * loaded machine: a blob left unreferenced for longer than the delay may go before the manifest
 * that names it arrives, which is the delay's meaning (OnlineGcStressTest pushes with a second).
 */
class OnlineGcTest {

    private static TestRegistry.Builder collecting(TestRegistry.Builder builder) {
        return builder.clock(Clock.systemUTC())
                .env("REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", "inmemory")
                .env("REGISTRY_STORAGE_MAINTENANCE_GC_ENABLED", "true")
                .env("REGISTRY_STORAGE_MAINTENANCE_GC_INTERVAL", "1s")
                .env("REGISTRY_STORAGE_MAINTENANCE_GC_DELAY", "5s")
                .env("REGISTRY_HTTP_DEBUG_ADDR", "127.0.0.1:0")
                .env("REGISTRY_HTTP_DEBUG_PROMETHEUS_ENABLED", "true");
    }

    @SuppressWarnings("unchecked")
    private static List<String> blobs(Map<String, Object> manifest) {
        List<String> digests = new ArrayList<>();
        digests.add((String) ((Map<String, Object>) manifest.get("config")).get("digest"));
        ((List<Map<String, Object>>) manifest.get("layers")).forEach(layer -> digests.add((String) layer.get("digest")));
        return digests;
    }

    @Test
    void aDeletedImagesBlobsAreCollectedWhileAKeptImageStaysWhole() throws Exception {
        try (TestRegistry registry = collecting(TestRegistry.builder(Files.createTempDirectory("online-gc"))).start()) {
            collectsDeletedAndKeepsTagged(registry, registry);
            String metrics = registry.debugGet("/metrics").body();
            assertThat(metric(metrics, "berth_gc_runs_total{outcome=\"success\"}")).isGreaterThanOrEqualTo(1);
            assertThat(metric(metrics, "berth_gc_blobs_deleted_total")).isGreaterThanOrEqualTo(3);
            assertThat(metric(metrics, "berth_gc_bytes_deleted_total")).isGreaterThan(0);
            assertThat(metric(metrics, "berth_gc_runs_total{outcome=\"failure\"}")).isZero();
            assertThat(metrics).contains("berth_gc_last_run_duration_seconds", "berth_gc_last_success_timestamp_seconds");
        }
    }

    @Test
    void twoReplicasOnOneBucketCollectInTurnsAndLoseNothingKept() throws Exception {
        String bucket = S3Proxy.shared().createBucket("online-gc");
        Path unused = Files.createTempDirectory("online-gc-s3");
        try (TestRegistry a = replica(unused, bucket); TestRegistry b = replica(unused, bucket)) {
            collectsDeletedAndKeepsTagged(a, b);
            double runs = 0;
            for (TestRegistry replica : List.of(a, b)) {
                String metrics = replica.debugGet("/metrics").body();
                runs += metric(metrics, "berth_gc_runs_total{outcome=\"success\"}");
                assertThat(metric(metrics, "berth_gc_runs_total{outcome=\"failure\"}")).isZero();
            }
            assertThat(runs).isGreaterThanOrEqualTo(1);
        }
    }

    /**
     * A replica without an in-memory cache, which a collection on the other replica would leave
     * stale (replicas share Redis or nothing), and without redirects, so a GET asks storage.
     */
    private static TestRegistry replica(Path unused, String bucket) throws Exception {
        return collecting(TestRegistry.builder(unused).s3(S3Proxy.shared(), bucket, "/shared"))
                .env("REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", "")
                .env("REGISTRY_STORAGE_REDIRECT_DISABLE", "true")
                .start();
    }

    /** Pushes two images through {@code pusher}, deletes one through {@code deleter}, and waits for its blobs to go. */
    private static void collectsDeletedAndKeepsTagged(TestRegistry pusher, TestRegistry deleter) throws Exception {
        Images images = new Images(pusher);
        Map<String, Object> kept = images.image("gc/kept", "kept", 2);
        Digest keptDigest = images.push("gc/kept", "v1", kept);
        Map<String, Object> doomed = images.image("gc/doomed", "doomed", 2);
        Digest doomedDigest = images.push("gc/doomed", "v1", doomed);
        assertThat(deleter.send("DELETE", "/v2/gc/doomed/manifests/" + doomedDigest, null).statusCode()).isEqualTo(202);

        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        for (String blob : blobs(doomed)) {
            while (pusher.get("/v2/gc/doomed/blobs/" + blob).statusCode() != 404) {
                assertThat(System.nanoTime()).as("collected within 40 s: " + blob).isLessThan(deadline);
                Thread.sleep(100);
            }
            assertThat(deleter.get("/v2/gc/doomed/blobs/" + blob).statusCode()).isEqualTo(404);
        }
        for (TestRegistry replica : List.of(pusher, deleter)) {
            assertThat(replica.get("/v2/gc/kept/manifests/v1").statusCode()).isEqualTo(200);
            assertThat(replica.get("/v2/gc/kept/manifests/" + keptDigest).statusCode()).isEqualTo(200);
            for (String blob : blobs(kept)) {
                assertThat(replica.get("/v2/gc/kept/blobs/" + blob).statusCode()).isEqualTo(200);
            }
        }
    }

    private static double metric(String scrape, String series) {
        Matcher value = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)").matcher(scrape);
        assertThat(value.find()).as(series + " in\n" + scrape).isTrue();
        return Double.parseDouble(value.group(1));
    }
}
