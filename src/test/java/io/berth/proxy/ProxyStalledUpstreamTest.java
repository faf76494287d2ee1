package io.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.Distribution;
import io.berth.testing.TestRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upstream that takes connections and never answers: the cache gives up on it after its read
 * timeout (15 s), serves what it holds, and for the next few seconds answers without trying it.
 */
class ProxyStalledUpstreamTest {

    /** The read timeout and a margin for a loaded machine. */
    private static final Duration TIMEOUT_AND_MARGIN = Duration.ofSeconds(25);
    /** Within the backoff, nothing waits for the upstream. */
    private static final Duration QUICK = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    @Test
    void cachedContentIsServedAfterTheReadTimeoutAndThenWithoutWaiting() throws Exception {
        byte[] manifest;
        byte[] uncached = ProxyPullTest.random(100, 62);
        try (Distribution upstream = Distribution.start(dir.resolve("upstream"));
                TestRegistry cache = TestRegistry.builder(dir.resolve("cache")).env("REGISTRY_PROXY_REMOTEURL", upstream.url()).start()) {
            manifest = upstream.pushImage("team/app", "1", "{}".getBytes(StandardCharsets.UTF_8), ProxyPullTest.random(100, 61));
            assertThat(cache.get("/v2/team/app/manifests/1").statusCode()).isEqualTo(200);
        }
        // The kernel completes connections to a listening socket that never accepts: requests go out and nothing comes back.
        try (ServerSocket stalled = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TestRegistry cache = TestRegistry.builder(dir.resolve("cache"))
                        .env("REGISTRY_PROXY_REMOTEURL", "http://127.0.0.1:" + stalled.getLocalPort()).start()) {
            long started = System.nanoTime();
            HttpResponse<byte[]> cachedTag = cache.get("/v2/team/app/manifests/1");
            assertThat(cachedTag.statusCode()).isEqualTo(200);
            assertThat(cachedTag.body()).isEqualTo(manifest);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TIMEOUT_AND_MARGIN);

            started = System.nanoTime();
            HttpResponse<byte[]> missing = cache.get("/v2/team/app/blobs/" + Digest.sha256(uncached));
            assertThat(missing.statusCode()).isEqualTo(502);
            assertThat(TestRegistry.errorCode(missing)).isEqualTo("UNAVAILABLE");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(QUICK);
        }
    }
}
