package io.berth.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /debug/health} of a real server over the real filesystem driver, whose root the test breaks and mends. */
class HealthTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private TestRegistry start(Path root, String threshold) throws Exception {
        Files.createDirectories(root);
        return TestRegistry.builder(root)
                .env("REGISTRY_HTTP_DEBUG_ADDR", "127.0.0.1:0")
                .env("REGISTRY_HEALTH_STORAGEDRIVER_ENABLED", "true")
                .env("REGISTRY_HEALTH_STORAGEDRIVER_INTERVAL", "50ms")
                .env("REGISTRY_HEALTH_STORAGEDRIVER_THRESHOLD", threshold)
                .start();
    }

    /** Replaces the root folder by a file: every listing of the root fails, as on a lost mount. */
    private static Path breakRoot(Path root) throws Exception {
        Path aside = root.resolveSibling(root.getFileName() + ".aside");
        Files.move(root, aside);
        Files.writeString(root, "not a folder");
        return aside;
    }

    private static void mendRoot(Path root, Path aside) throws Exception {
        Files.delete(root);
        Files.move(aside, root);
    }

    private static HttpResponse<String> awaitStatus(TestRegistry registry, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        HttpResponse<String> response = registry.debugGet("/debug/health");
        while (response.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(20);
            response = registry.debugGet("/debug/health");
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return response;
    }

    @Test
    void aFailingStorageDriverTurnsHealthTo503AndBack() throws Exception {
        Path root = dir.resolve("root");
        try (TestRegistry registry = start(root, "2")) {
            HttpResponse<String> healthy = registry.debugGet("/debug/health");
            assertThat(healthy.statusCode()).isEqualTo(200);
            assertThat(healthy.body()).isEqualTo("{}");
            assertThat(healthy.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");

            Path aside = breakRoot(root);
            JsonNode failing = JSON.readTree(awaitStatus(registry, 503).body());
            assertThat(failing.size()).isEqualTo(1);
            assertThat(failing.path("storagedriver_filesystem").asText()).isNotBlank();

            mendRoot(root, aside);
            assertThat(awaitStatus(registry, 200).body()).isEqualTo("{}");
        }
    }

    @Test
    void failuresBelowTheThresholdKeepItHealthy() throws Exception {
        Path root = dir.resolve("root");
        try (TestRegistry registry = start(root, "1000")) {
            Path aside = breakRoot(root);
            Thread.sleep(500); // about ten failed probes, far from a thousand
            assertThat(registry.debugGet("/debug/health").statusCode()).isEqualTo(200);
            mendRoot(root, aside);
        }
    }

    @Test
    void withoutTheCheckHealthIsAlways200() throws Exception {
        Path root = dir.resolve("root");
        Files.createDirectories(root);
        try (TestRegistry registry = TestRegistry.builder(root).env("REGISTRY_HTTP_DEBUG_ADDR", "127.0.0.1:0").start()) {
            Path aside = breakRoot(root);
            Thread.sleep(200);
            assertThat(registry.debugGet("/debug/health").statusCode()).isEqualTo(200);
            assertThat(registry.debugGet("/debug/nothing").statusCode()).isEqualTo(404);
            mendRoot(root, aside);
        }
    }
}
