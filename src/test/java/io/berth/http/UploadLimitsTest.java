package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static io.berth.testing.TestRegistry.withQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.MutableClock;
import io.berth.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code http.limits.uploads} and {@code http.limits.uploadsperrepository}: open sessions are bounded, and ending one frees its slot. */
class UploadLimitsTest {

    static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @TempDir
    static Path root;
    static TestRegistry registry;
    /** Locations of the sessions a test left open, cancelled after it. */
    final List<String> open = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        registry = TestRegistry.builder(root)
                .clock(CLOCK)
                .env("REGISTRY_HTTP_LIMITS_UPLOADS", "5")
                .env("REGISTRY_HTTP_LIMITS_UPLOADSPERREPOSITORY", "3")
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    @AfterEach
    void cancelOpenSessions() throws Exception {
        for (String location : open) {
            assertThat(registry.send("DELETE", location, null).statusCode()).as("cancel " + location).isIn(204, 404);
        }
    }

    private HttpResponse<byte[]> post(String repository) throws Exception {
        HttpResponse<byte[]> response = registry.send("POST", "/v2/" + repository + "/blobs/uploads/", null);
        if (response.statusCode() == 202) {
            open.add(response.headers().firstValue("Location").orElseThrow());
        }
        return response;
    }

    private void startOk(String repository) throws Exception {
        assertThat(post(repository).statusCode()).as("POST in " + repository).isEqualTo(202);
    }

    private static void assertTooMany(HttpResponse<byte[]> response, String mentioned) throws Exception {
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(errorCode(response)).isEqualTo("TOOMANYREQUESTS");
        assertThat(response.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isPositive());
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains(mentioned);
    }

    @Test
    void aRepositoryPastItsCapGets429WhileOthersStillStart() throws Exception {
        for (int i = 0; i < 3; i++) {
            startOk("cap/full");
        }
        assertTooMany(post("cap/full"), "cap/full");
        startOk("cap/other");
    }

    @Test
    void theRegistryPastItsOverallCapGets429InEveryRepository() throws Exception {
        startOk("all/a");
        startOk("all/a");
        startOk("all/b");
        startOk("all/b");
        startOk("all/c");
        assertTooMany(post("all/d"), "5 uploads");
        assertTooMany(registry.send("POST", "/v2/all/d/blobs/uploads/?digest=" + Digest.sha256(new byte[1]), new byte[1]), "5 uploads");
    }

    @Test
    void aCancelledSessionFreesItsSlot() throws Exception {
        for (int i = 0; i < 3; i++) {
            startOk("free/cancel");
        }
        assertTooMany(post("free/cancel"), "free/cancel");
        assertThat(registry.send("DELETE", open.removeFirst(), null).statusCode()).isEqualTo(204);
        startOk("free/cancel");
    }

    @Test
    void aFinishedSessionFreesItsSlot() throws Exception {
        for (int i = 0; i < 3; i++) {
            startOk("free/finish");
        }
        assertTooMany(post("free/finish"), "free/finish");
        byte[] content = "finished".getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> patched = registry.send("PATCH", open.removeFirst(), content, "Content-Type", "application/octet-stream");
        assertThat(patched.statusCode()).isEqualTo(202);
        String location = patched.headers().firstValue("Location").orElseThrow();
        assertThat(registry.send("PUT", withQuery(location, "digest=" + Digest.sha256(content)), null).statusCode()).isEqualTo(201);
        startOk("free/finish");
    }

    @Test
    void aSessionIdlePastThePurgeAgeFreesItsSlot() throws Exception {
        for (int i = 0; i < 3; i++) {
            startOk("free/idle");
        }
        assertTooMany(post("free/idle"), "free/idle");
        CLOCK.advance(Duration.ofHours(168).plusSeconds(1)); // storage.maintenance.uploadpurging.age
        startOk("free/idle");
    }

    @Test
    void aSingleRequestPushHoldsNoSlotOnceDone() throws Exception {
        for (int i = 0; i < 10; i++) {
            registry.push("mono/app", ("blob " + i).getBytes(StandardCharsets.UTF_8));
        }
        for (int i = 0; i < 3; i++) {
            startOk("mono/app");
        }
    }
}
