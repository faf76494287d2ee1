package io.berth.storage.cache;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A descriptor cache whose Redis is not there reports it at most once per 30 s, on a ticker the test
 * moves instead of waiting half a minute; every request is still answered from storage.
 */
class DescriptorCacheReportTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Logger logger = (Logger) LoggerFactory.getLogger(DescriptorCache.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private DescriptorCache cache;

    @BeforeEach
    void start() throws Exception {
        int nothingListens;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nothingListens = socket.getLocalPort();
        }
        RedisSettings settings = new RedisSettings("127.0.0.1:" + nothingListens, null, null, 0, Duration.ZERO, Duration.ZERO,
                Duration.ZERO, 0, 0, Duration.ZERO, false);
        cache = DescriptorCache.of(new RedisBlobDescriptorService(settings, now::get), now::get);
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void stop() {
        logger.detachAppender(lines);
        cache.close();
    }

    @Test
    void aFailingCacheIsReportedOncePerThirtySecondsWithTheCountOfFailuresInBetween() throws Exception {
        Digest digest = Digest.sha256("reported".getBytes(StandardCharsets.UTF_8));
        CachedBlobStatter statter = cache.statter(Scope.GLOBAL, d -> Descriptor.of(d, 8));

        assertThat(statter.stat(digest).size()).isEqualTo(8);
        assertThat(warnings()).hasSize(1);
        assertThat(warnings().get(0)).startsWith("descriptor cache (redis) unavailable, serving from storage: ")
                .doesNotContain("more failures");

        for (int i = 0; i < 4; i++) {
            now.addAndGet(Duration.ofSeconds(7).toNanos()); // 28 s in all: still within the interval
            assertThat(statter.stat(digest).size()).isEqualTo(8);
        }
        assertThat(warnings()).hasSize(1);

        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(statter.stat(digest).size()).isEqualTo(8);
        assertThat(warnings()).hasSize(2);
        assertThat(warnings().get(1)).endsWith(" (4 more failures since the last report)");
        assertThat(cache.stats().orElseThrow().errors()).isEqualTo(6);
    }

    private List<String> warnings() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
