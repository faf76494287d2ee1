package io.berth.s3;

import static io.berth.testing.TestRegistry.withQuery;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.S3Proxy;
import io.berth.testing.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's case: on S3, with the launcher's default heap (96 MiB), 24 uploads at once each PATCH
 * 6 MB at about 1 MB/s. Every writer gathers a 10 MiB part, more than the heap holds for all of
 * them: the parts beyond the heap's share go to temporary files, and beyond those an upload gets a
 * clean 429. Never a 5xx, never an OutOfMemoryError, and no temporary file is left behind.
 * Isolated: a load of its own, not to be shared with classes running beside it.
 */
@Isolated
class SlowConcurrentUploadsTest {

    private static final int UPLOADS = 24;
    private static final int SIZE = 6_000_000;
    private static final int BYTES_PER_SECOND = 1_000_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String bucket;

    @TempDir
    Path root;
    @TempDir
    Path spill;

    @BeforeAll
    static void createBucket() {
        bucket = S3Proxy.shared().createBucket("slow-uploads");
    }

    @Test
    void twentyFourSlowUploadsOnTheLaunchersHeapAllSucceedWithPartsBeyondTheHeapInTemporaryFiles() throws Exception {
        try (ServerProcess server = start("/defaults", Map.of())) {
            Outcome outcome = uploadAll(server);

            assertThat(outcome.completed()).as("every upload succeeds").hasSize(UPLOADS);
            assertThat(outcome.maxSpilled()).as("parts beyond the heap's share were in temporary files").isPositive();
            assertAfterwards(server, outcome);
        }
    }

    @Test
    void uploadsBeyondTheHeapAndDiskSharesGetACleanTooManyRequests() throws Exception {
        // Room for two parts in files; with two in the heap, about four uploads run and the rest are refused.
        try (ServerProcess server = start("/tight", Map.of(
                "REGISTRY_STORAGE_S3_PARTBUFFERS_SPILLSIZE", String.valueOf(20 << 20),
                "REGISTRY_STORAGE_S3_PARTBUFFERS_MAXWAIT", "1s"))) {
            Outcome outcome = uploadAll(server);

            assertThat(outcome.completed()).as("some uploads succeed").isNotEmpty();
            assertThat(outcome.refused().get()).as("some are refused with 429").isPositive();
            assertThat(outcome.completed().size() + outcome.refused().get()).isEqualTo(UPLOADS);
            assertAfterwards(server, outcome);
        }
    }

    private ServerProcess start(String rootDirectory, Map<String, String> environment) throws Exception {
        ServerProcess.Builder builder = ServerProcess.builder(root).s3(S3Proxy.shared(), bucket, rootDirectory)
                .jvmOptions(ServerProcess.launcherJvmOptions())
                .env("REGISTRY_STORAGE_REDIRECT_DISABLE", "true")
                .env("REGISTRY_LOG_ACCESSLOG_DISABLED", "true")
                .env("REGISTRY_STORAGE_S3_PARTBUFFERS_SPILLDIRECTORY", spill.toString());
        environment.forEach(builder::env);
        return builder.start();
    }

    /** What the uploads got: the digests of those that completed, how many were refused, the most part files open at once. */
    private record Outcome(List<String> completed, AtomicInteger refused, int maxSpilled) {}

    private Outcome uploadAll(ServerProcess server) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI base = URI.create("http://127.0.0.1:" + server.port());
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        List<String> completed = new ArrayList<>();
        int maxSpilled = 0;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> uploads = new ArrayList<>();
            for (int i = 0; i < UPLOADS; i++) {
                long seed = i;
                uploads.add(executor.submit(() -> upload(client, base, seed, refused)));
            }
            Future<Integer> watcher = executor.submit(() -> watchSpilledParts(server.pid(), done));
            for (Future<String> upload : uploads) {
                String digest = upload.get(60, TimeUnit.SECONDS);
                if (digest != null) {
                    completed.add(digest);
                }
            }
            done.set(true);
            maxSpilled = watcher.get(10, TimeUnit.SECONDS);
        }
        for (String digest : completed) {
            assertPulled(client, base, digest);
        }
        return new Outcome(completed, refused, maxSpilled);
    }

    /** POST, a slow PATCH, PUT: the digest when all three succeed, null when one was refused with 429. */
    private static String upload(HttpClient client, URI base, long seed, AtomicInteger refused) throws Exception {
        HttpResponse<byte[]> started = client.send(HttpRequest.newBuilder(base.resolve("/v2/slow/app/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (refusedCleanly(started, 202, refused)) {
            return null;
        }
        PacedContent content = new PacedContent(seed);
        HttpResponse<byte[]> patched = client.send(HttpRequest.newBuilder(base.resolve(location(started)))
                .header("Content-Type", "application/octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> content), SIZE))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        if (refusedCleanly(patched, 202, refused)) {
            return null;
        }
        String digest = content.digest();
        HttpResponse<byte[]> finished = client.send(HttpRequest.newBuilder(base.resolve(withQuery(location(patched), "digest=" + digest)))
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (refusedCleanly(finished, 201, refused)) {
            return null;
        }
        return digest;
    }

    /** Asserts the answer is the expected success or a 429 with Retry-After and the JSON envelope; true for the 429. */
    private static boolean refusedCleanly(HttpResponse<byte[]> response, int success, AtomicInteger refused) throws IOException {
        String body = new String(response.body());
        assertThat(response.statusCode()).as("%s %s: %s", response.request().method(), response.request().uri(), body)
                .isIn(success, 429);
        if (response.statusCode() == success) {
            return false;
        }
        assertThat(response.headers().firstValueAsLong("Retry-After").orElse(0)).as("Retry-After").isPositive();
        JsonNode error = JSON.readTree(body).path("errors").path(0);
        assertThat(error.path("code").asText()).isEqualTo("TOOMANYREQUESTS");
        assertThat(error.path("message").asText()).isNotBlank().doesNotContain("Exception");
        refused.incrementAndGet();
        return true;
    }

    private static String location(HttpResponse<?> response) {
        return response.headers().firstValue("Location").orElseThrow();
    }

    private static void assertPulled(HttpClient client, URI base, String digest) throws Exception {
        HttpResponse<InputStream> pulled = client.send(HttpRequest.newBuilder(base.resolve("/v2/slow/app/blobs/" + digest)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(pulled.statusCode()).isEqualTo(200);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long total = 0;
        try (InputStream in = pulled.body()) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) != -1; ) {
                sha.update(buffer, 0, n);
                total += n;
            }
        }
        assertThat(total).isEqualTo(SIZE);
        assertThat("sha256:" + HexFormat.of().formatHex(sha.digest())).isEqualTo(digest);
    }

    private void assertAfterwards(ServerProcess server, Outcome outcome) throws IOException {
        assertThat(server.isAlive()).isTrue();
        assertThat(server.output()).noneMatch(line -> line.contains("OutOfMemoryError"));
        assertThat(spilledParts(server.pid())).as("no part file is still open").isZero();
        try (Stream<Path> left = Files.list(spill)) {
            assertThat(left).as("no temporary file left behind").isEmpty();
        }
        assertThat(outcome.completed()).doesNotHaveDuplicates();
    }

    /** The most part files the server had open at once while the uploads ran. */
    private int watchSpilledParts(long pid, AtomicBoolean done) throws IOException, InterruptedException {
        int most = 0;
        while (!done.get()) {
            most = Math.max(most, spilledParts(pid));
            Thread.sleep(20);
        }
        return most;
    }

    /** Descriptors of the server open on files of the spill folder (already unlinked, so only /proc sees them). */
    private int spilledParts(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return (int) fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith(spill.toString());
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            }).count();
        }
    }

    /** 6 MB of seeded random bytes at about 1 MB/s, hashed as they are read. */
    private static final class PacedContent extends InputStream {
        private final Random random;
        private final MessageDigest sha;
        private long sent;
        private long startNanos = -1;

        PacedContent(long seed) throws Exception {
            this.random = new Random(seed);
            this.sha = MessageDigest.getInstance("SHA-256");
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (sent == SIZE) {
                return -1;
            }
            if (startNanos < 0) {
                startNanos = System.nanoTime();
            }
            // A slow client: the next piece leaves no sooner than the rate allows.
            long due = startNanos + sent * TimeUnit.SECONDS.toNanos(1) / BYTES_PER_SECOND;
            long early = due - System.nanoTime();
            if (early > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(early);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
            int n = (int) Math.min(Math.min(len, 64 * 1024), SIZE - sent);
            byte[] piece = new byte[n];
            random.nextBytes(piece);
            System.arraycopy(piece, 0, b, off, n);
            sha.update(piece);
            sent += n;
            return n;
        }

        String digest() {
            assertThat(sent).isEqualTo(SIZE);
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        }
    }
}
