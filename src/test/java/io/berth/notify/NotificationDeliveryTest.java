package io.berth.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.Images;
import io.berth.testing.S3Proxy;
import io.berth.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How events reach an endpoint that fails, hangs or is down: a failing one gets every event in
 * order once it recovers (here on S3), a hanging one does not hold pushes up, a full outbox drops
 * its oldest events and counts them, a restart delivers what the outbox held, and a live replica
 * delivers the outbox of one that is gone.
 */
class NotificationDeliveryTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private TestRegistry.Builder registry(Receiver receiver, String extra) throws Exception {
        Path config = Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                http:
                  debug:
                    addr: 127.0.0.1:0
                    prometheus:
                      enabled: true
                notifications:
                  endpoints:
                    - name: receiver
                      url: %s
                      timeout: 30s
                      threshold: 2
                      backoff: 20ms
                %s""".formatted(receiver.url(), extra));
        return TestRegistry.builder(dir.resolve("root")).config(config);
    }

    @Test
    void aReceiverAnswering503ForAWhileGetsEveryEventInOrderWhenItRecoversOnS3() throws Exception {
        S3Proxy s3 = S3Proxy.shared();
        String bucket = s3.createBucket("notify");
        try (Receiver receiver = Receiver.start()) {
            receiver.failFirst(6);
            try (TestRegistry registry = registry(receiver, "").s3(s3, bucket, "/notify").start()) {
                List<String> pushed = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    pushed.add(registry.push("retry/blobs", ("blob " + i).getBytes()).toString());
                }
                List<JsonNode> events = receiver.await(e -> e.size() == pushed.size(), WAIT);
                assertThat(events).extracting(e -> e.path("target").path("digest").asText()).containsExactlyElementsOf(pushed);
                assertThat(receiver.posts()).filteredOn(p -> p.status() == 503).hasSize(6);
                JsonNode endpoint = JSON.readTree(registry.debugGet("/debug/notifications").body()).path("endpoints").get(0);
                assertThat(endpoint.path("failures").asLong()).isEqualTo(6);
                assertThat(endpoint.path("delivered").asLong()).isEqualTo(8);
            }
        } finally {
            s3.empty(bucket);
        }
    }

    @Test
    void aHangingReceiverDoesNotHoldUpFiveImagePushes() throws Exception {
        try (Receiver receiver = Receiver.start()) {
            receiver.hang();
            try (TestRegistry registry = registry(receiver, "").start()) {
                Images images = new Images(registry);
                List<String> manifests = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    Map<String, Object> image = images.image("hanging/image", "image " + i, 2);
                    manifests.add(images.push("hanging/image", "v" + i, image).toString());
                    if (i == 0) {
                        receiver.awaitHanging(WAIT);
                    }
                }
                // Every push was acknowledged while the endpoint held the first delivery unanswered.
                assertThat(receiver.hanging()).isEqualTo(1);
                assertThat(receiver.posts()).as("no POST was answered yet").isEmpty();
                receiver.release();
                List<JsonNode> events = receiver.await(e -> e.size() == 20, WAIT);
                assertThat(events).filteredOn(e -> e.path("target").has("tag"))
                        .extracting(e -> e.path("target").path("digest").asText()).containsExactlyElementsOf(manifests);
            }
        }
    }

    @Test
    void aFullOutboxDropsTheOldestEventsAndCountsThem() throws Exception {
        try (Receiver receiver = Receiver.down();
                TestRegistry registry = registry(receiver, """
                          outbox:
                            maxevents: 5
                        """).start()) {
            List<String> pushed = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                pushed.add(registry.push("bounded/blobs", ("blob " + i).getBytes()).toString());
            }
            JsonNode endpoint = JSON.readTree(registry.debugGet("/debug/notifications").body()).path("endpoints").get(0);
            assertThat(endpoint.path("dropped").asLong()).isEqualTo(7);
            assertThat(endpoint.path("pending").asLong()).isEqualTo(5);
            assertThat(endpoint.path("lastError").asText()).contains("ConnectException");
            assertThat(registry.debugGet("/metrics").body()).contains("berth_notifications_dropped_total{endpoint=\"receiver\"} 7.0",
                    "berth_notifications_pending{endpoint=\"receiver\"} 5.0");
            receiver.up();
            List<JsonNode> events = receiver.await(e -> e.size() == 5, WAIT);
            assertThat(events).extracting(e -> e.path("target").path("digest").asText()).containsExactlyElementsOf(pushed.subList(7, 12));
        }
    }

    @Test
    void aReplicaDeliversTheOutboxOfOneThatIsGone() throws Exception {
        try (Receiver receiver = Receiver.down()) {
            List<String> pushed = new ArrayList<>();
            try (TestRegistry gone = registry(receiver, "  outbox:\n    instance: gone\n").start()) {
                for (int i = 0; i < 3; i++) {
                    pushed.add(gone.push("adopted/blobs", ("blob " + i).getBytes()).toString());
                }
            }
            receiver.up();
            try (TestRegistry live = registry(receiver, "  outbox:\n    instance: live\n").start()) {
                String own = live.push("adopted/blobs", "the live one's own".getBytes()).toString();
                List<JsonNode> events = receiver.await(e -> e.size() == 4, WAIT);
                assertThat(events).filteredOn(e -> e.path("source").path("instanceID").asText().equals("gone"))
                        .extracting(e -> e.path("target").path("digest").asText()).containsExactlyElementsOf(pushed);
                assertThat(events).filteredOn(e -> e.path("source").path("instanceID").asText().equals("live"))
                        .extracting(e -> e.path("target").path("digest").asText()).containsExactly(own);
            }
        }
    }

    @Test
    void aRestartDeliversWhatTheOutboxHeld() throws Exception {
        try (Receiver receiver = Receiver.down(); TestRegistry registry = registry(receiver, "").start()) {
            List<String> pushed = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                pushed.add(registry.push("restart/blobs", ("blob " + i).getBytes()).toString());
            }
            registry.restart();
            pushed.add(registry.push("restart/blobs", "after the restart".getBytes()).toString());
            receiver.up();
            List<JsonNode> events = receiver.await(e -> e.size() == 4, WAIT);
            assertThat(events).extracting(e -> e.path("target").path("digest").asText()).containsExactlyElementsOf(pushed);
            assertThat(events).extracting(e -> e.path("source").path("instanceID").asText()).as("the same outbox after the restart")
                    .containsOnly(events.getFirst().path("source").path("instanceID").asText());
        }
    }
}
