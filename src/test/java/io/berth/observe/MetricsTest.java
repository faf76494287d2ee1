package io.berth.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.Images;
import io.berth.testing.TestRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prometheus metrics on the debug address of a real server, scraped over HTTP after real traffic. */
class MetricsTest {

    @TempDir
    Path root;
    TestRegistry registry;

    @BeforeEach
    void start() throws Exception {
        registry = TestRegistry.builder(root)
                .env("REGISTRY_HTTP_DEBUG_ADDR", "127.0.0.1:0")
                .env("REGISTRY_HTTP_DEBUG_PROMETHEUS_ENABLED", "true")
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        registry.close();
    }

    /** Every sample of a scrape, keyed by name and its labels in name order: {@code name{a="1",b="2"}}. */
    private Map<String, Double> scrape() throws Exception {
        HttpResponse<String> response = registry.debugGet("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
        Map<String, Double> samples = new HashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String series = line.substring(0, space);
            samples.put(normalized(series), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    private static String normalized(String series) {
        int brace = series.indexOf('{');
        if (brace < 0) {
            return series;
        }
        Map<String, String> labels = new TreeMap<>();
        for (String pair : series.substring(brace + 1, series.length() - 1).split(",")) {
            int eq = pair.indexOf('=');
            labels.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return key(series.substring(0, brace), labels);
    }

    private static String key(String name, Map<String, String> labels) {
        if (labels.isEmpty()) {
            return name;
        }
        StringBuilder key = new StringBuilder(name).append('{');
        new TreeMap<>(labels).forEach((k, v) -> key.append(k).append("=\"").append(v.replace("\"", "")).append("\","));
        return key.append('}').toString();
    }

    private static String request(String name, String route, String method, int code) {
        return key(name, Map.of("route", route, "method", method, "code", Integer.toString(code)));
    }

    @Test
    void requestsAreCountedByRouteMethodAndStatusWithLatencyAndBytes() throws Exception {
        byte[] layer = new byte[10_000];
        new Random(3).nextBytes(layer);
        Digest digest = registry.push("app", layer);
        registry.push("app", "config".getBytes());
        assertThat(registry.get("/v2/app/blobs/" + digest).statusCode()).isEqualTo(200);
        assertThat(registry.head("/v2/app/blobs/" + digest).statusCode()).isEqualTo(200);
        assertThat(registry.get("/v2/app/blobs/sha256:" + "0".repeat(64)).statusCode()).isEqualTo(404);
        assertThat(registry.get("/v2/not/a/route").statusCode()).isEqualTo(404);
        Map<String, Object> manifest = new Images(registry).image("app", "one", 1);
        assertThat(registry.send("PUT", "/v2/app/manifests/v1", Images.json(manifest),
                "Content-Type", (String) manifest.get("mediaType")).statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/app/manifests/v1", "Accept", (String) manifest.get("mediaType")).statusCode()).isEqualTo(200);

        Map<String, Double> m = scrape();
        // two pushes above, and the image's config and layer
        assertThat(m).containsEntry(request("registry_http_requests_total", "upload", "POST", 201), 4.0);
        assertThat(m).containsEntry(request("registry_http_requests_total", "blob", "GET", 200), 1.0);
        assertThat(m).containsEntry(request("registry_http_requests_total", "blob", "HEAD", 200), 1.0);
        assertThat(m).containsEntry(request("registry_http_requests_total", "blob", "GET", 404), 1.0);
        assertThat(m).containsEntry(request("registry_http_requests_total", "unknown", "GET", 404), 1.0);
        assertThat(m).containsEntry(request("registry_http_requests_total", "manifest", "PUT", 201), 1.0);
        assertThat(m).containsEntry(request("registry_http_requests_total", "manifest", "GET", 200), 1.0);

        Map<String, String> blobGet = Map.of("route", "blob", "method", "GET", "code", "200");
        assertThat(m).containsEntry(key("registry_http_request_duration_seconds_count", blobGet), 1.0);
        assertThat(m.get(key("registry_http_request_duration_seconds_sum", blobGet))).isPositive();
        Map<String, String> infBucket = new HashMap<>(blobGet);
        infBucket.put("le", "+Inf");
        assertThat(m).containsEntry(key("registry_http_request_duration_seconds_bucket", infBucket), 1.0);

        long manifestSize = Images.json(manifest).length;
        long pushed = layer.length + "config".length() + "{\"seed\":\"one\"}".length() + "one layer 0".length();
        assertThat(m).containsEntry(key("registry_http_request_bytes_total", Map.of("route", "upload")), (double) pushed);
        assertThat(m).containsEntry(key("registry_http_request_bytes_total", Map.of("route", "manifest")), (double) manifestSize);
        assertThat(m.get(key("registry_http_response_bytes_total", Map.of("route", "blob"))))
                .isGreaterThan(layer.length); // the blob, and the 404's error body
        assertThat(m).containsEntry(key("registry_http_response_bytes_total", Map.of("route", "manifest")), (double) manifestSize);

        assertThat(m).containsEntry(key("registry_http_in_flight_requests", Map.of()), 0.0);
        assertThat(m).containsEntry(key("registry_uploads_in_progress", Map.of()), 0.0);
    }

    @Test
    void storageDriverOperationsAreTimedAndTheirFailuresCounted() throws Exception {
        Digest digest = registry.push("app", "some bytes".getBytes());
        assertThat(registry.get("/v2/app/blobs/" + digest).statusCode()).isEqualTo(200);
        // A file where the repository's folder must go: the driver cannot create anything under it.
        Path repositories = root.resolve("docker/registry/v2/repositories");
        Files.writeString(repositories.resolve("broken"), "not a folder");
        assertThat(registry.send("POST", "/v2/broken/blobs/uploads/", null).statusCode()).isEqualTo(500);

        Map<String, Double> m = scrape();
        Map<String, String> stat = Map.of("driver", "filesystem", "action", "Stat");
        assertThat(m.get(key("registry_storage_action_seconds_count", stat))).isGreaterThanOrEqualTo(1.0);
        assertThat(m.get(key("registry_storage_action_seconds_sum", stat))).isPositive();
        Map<String, String> writer = Map.of("driver", "filesystem", "action", "Writer");
        assertThat(m.get(key("registry_storage_action_seconds_count", writer))).isGreaterThanOrEqualTo(2.0);
        assertThat(m).containsEntry(key("registry_storage_action_errors_total", writer), 1.0);
        // A blob that is not there is an answer, not a failure.
        assertThat(registry.get("/v2/app/blobs/sha256:" + "1".repeat(64)).statusCode()).isEqualTo(404);
        assertThat(scrape()).containsEntry(key("registry_storage_action_errors_total", stat), 0.0);
    }

    @Test
    void anUploadStreamingItsBodyShowsInTheGaugeUntilItEnds() throws Exception {
        String location = registry.startUpload("app");
        byte[] half = new byte[5_000];
        try (Socket socket = new Socket("127.0.0.1", registry.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: 10000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(half);
            out.flush();

            String gauge = key("registry_uploads_in_progress", Map.of());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (scrape().get(gauge) != 1.0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Map<String, Double> during = scrape();
            assertThat(during).containsEntry(gauge, 1.0);
            assertThat(during.get(key("registry_http_in_flight_requests", Map.of()))).isEqualTo(1.0);

            out.write(half);
            out.flush();
            InputStream in = socket.getInputStream();
            String head = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(head).startsWith("HTTP/1.1 202");
        }
        Map<String, Double> after = scrape();
        assertThat(after).containsEntry(key("registry_uploads_in_progress", Map.of()), 0.0);
        assertThat(after).containsEntry(request("registry_http_requests_total", "upload", "PATCH", 202), 1.0);
        assertThat(after).containsEntry(key("registry_http_request_bytes_total", Map.of("route", "upload")), 10_000.0);
    }

    @Test
    void descriptorCacheHitsAndMissesAreCounted() throws Exception {
        try (TestRegistry cached = TestRegistry.builder(root.resolve("cached"))
                .env("REGISTRY_HTTP_DEBUG_ADDR", "127.0.0.1:0")
                .env("REGISTRY_HTTP_DEBUG_PROMETHEUS_ENABLED", "true")
                .env("REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", "inmemory")
                .start()) {
            Digest digest = cached.push("app", "cached bytes".getBytes());
            for (int i = 0; i < 3; i++) {
                assertThat(cached.head("/v2/app/blobs/" + digest).statusCode()).isEqualTo(200);
            }
            assertThat(cached.head("/v2/app/blobs/sha256:" + "2".repeat(64)).statusCode()).isEqualTo(404);
            HttpResponse<String> response = cached.debugGet("/metrics");
            assertThat(response.statusCode()).isEqualTo(200);
            Map<String, Double> m = new HashMap<>();
            for (String line : response.body().split("\n")) {
                if (line.startsWith("registry_storage_cache_total{")) {
                    int space = line.lastIndexOf(' ');
                    m.put(normalized(line.substring(0, space)), Double.parseDouble(line.substring(space + 1)));
                }
            }
            Map<String, String> hit = Map.of("cache", "blobdescriptor", "type", "Hit");
            Map<String, String> miss = Map.of("cache", "blobdescriptor", "type", "Miss");
            assertThat(m.get(key("registry_storage_cache_total", hit))).isGreaterThanOrEqualTo(2.0);
            assertThat(m.get(key("registry_storage_cache_total", miss))).isGreaterThanOrEqualTo(1.0);
            assertThat(m).containsEntry(key("registry_storage_cache_total", Map.of("cache", "blobdescriptor", "type", "Error")), 0.0);
            assertThat(m.get(key("registry_storage_cache_total", hit))).isEqualTo((double) cached.cacheStats().hits());
        }
    }

    @Test
    void buildInfoNamesTheVersionAndCommitOfThisBuild() throws Exception {
        BuildInfo build = BuildInfo.current();
        assertThat(build.version()).isNotEqualTo("unknown");
        assertThat(scrape()).containsEntry(key("berth_build_info", Map.of("version", build.version(), "commit", build.commit())), 1.0);
    }

    @Test
    void componentsCanAddCallbackCountersAndGauges() throws Exception {
        Metrics metrics = new Metrics();
        long[] hits = {3};
        metrics.counter("registry_storage_cache_total", "Descriptor cache lookups.", Map.of("type", "Hit"), () -> hits[0]);
        metrics.counter("registry_storage_cache_total", "Descriptor cache lookups.", Map.of("type", "Miss"), () -> 2);
        metrics.gauge("registry_storage_cache_entries", "Entries held.", Map.of(), () -> 7);
        hits[0] = 5;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        metrics.scrape(out);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("registry_storage_cache_total{type=\"Hit\"} 5.0", "registry_storage_cache_total{type=\"Miss\"} 2.0",
                "registry_storage_cache_entries 7.0", "# TYPE registry_storage_cache_total counter");
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        metrics.counter("registry_storage_cache_total", "x", Map.of("kind", "Hit"), () -> 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theMetricsPathIsNotServedWhenPrometheusIsOff() throws Exception {
        try (TestRegistry plain = TestRegistry.builder(root.resolve("other")).env("REGISTRY_HTTP_DEBUG_ADDR", "127.0.0.1:0").start()) {
            assertThat(plain.debugGet("/metrics").statusCode()).isEqualTo(404);
            assertThat(plain.debugGet("/debug/health").statusCode()).isEqualTo(200);
        }
    }
}
