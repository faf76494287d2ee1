package io.berth.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many clients pushing the same content at once all succeed and leave exactly one copy. */
class ConcurrentPushTest {

    @TempDir
    Path root;

    @Test
    void concurrentPushesOfOneBlobToOneAndManyRepositoriesAllSucceedWithOneCopy() throws Exception {
        byte[] content = new byte[512 * 1024];
        new Random(3).nextBytes(content);
        Digest digest = Digest.sha256(content);
        int clients = 16;
        try (TestRegistry registry = TestRegistry.start(root);
                ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String repository = i % 2 == 0 ? "shared" : "repo" + i;
                boolean chunked = i % 4 < 2;
                results.add(pool.submit(() -> chunked ? chunkedPush(registry, repository, content, digest)
                        : registry.send("POST", "/v2/" + repository + "/blobs/uploads/?digest=" + digest, content).statusCode()));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(201);
            }
            for (int i = 0; i < clients; i++) {
                String repository = i % 2 == 0 ? "shared" : "repo" + i;
                assertThat(registry.get("/v2/" + repository + "/blobs/" + digest).body()).isEqualTo(content);
            }
        }
        try (Stream<Path> files = Files.walk(root.resolve("docker/registry/v2/blobs"))) {
            assertThat(files.filter(Files::isRegularFile).toList()).hasSize(1);
        }
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(p -> p.toString().contains("_uploads/") && Files.isRegularFile(p)).toList())
                    .as("no upload left behind").isEmpty();
        }
    }

    private static int chunkedPush(TestRegistry registry, String repository, byte[] content, Digest digest) throws Exception {
        String location = registry.startUpload(repository);
        int half = content.length / 2;
        HttpResponse<byte[]> first = registry.send("PATCH", location, Arrays.copyOfRange(content, 0, half),
                "Content-Range", "0-" + (half - 1));
        assertThat(first.statusCode()).isEqualTo(202);
        location = first.headers().firstValue("Location").orElseThrow();
        return registry.send("PUT", TestRegistry.withQuery(location, "digest=" + digest),
                Arrays.copyOfRange(content, half, content.length)).statusCode();
    }
}
