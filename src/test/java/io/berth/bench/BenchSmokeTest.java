package io.berth.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.Commands;
import io.berth.testing.TestRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fast run of every `berth bench` scenario against a real server, and proof that it notices wrong answers. */
class BenchSmokeTest {

    @TempDir
    Path root;

    @Test
    void everyScenarioRunsWithoutErrorsAgainstBerth() throws Exception {
        try (TestRegistry registry = TestRegistry.start(root)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream original = System.out;
            int exit;
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            try {
                exit = Commands.commandLine().execute("bench", "--url", "http://127.0.0.1:" + registry.port(),
                        "--scenario", "all", "--count", "6", "--concurrency", "2", "--size", "64KiB", "--chunk", "16KiB",
                        "--duration", "1s", "--json");
            } finally {
                System.setOut(original);
            }
            List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
            assertThat(lines).hasSize(Scenarios.ALL.size());
            assertThat(lines).allSatisfy(line -> assertThat(line).contains("\"errors\":0").doesNotContain("\"ops\":0,"));
            assertThat(exit).isZero();
        }
    }

    @Test
    void theCacheComparisonRunsAgainstBerthsWithAndWithoutACache(@TempDir Path cachedRoot) throws Exception {
        try (TestRegistry plain = TestRegistry.start(root);
                TestRegistry cached = TestRegistry.builder(cachedRoot).env("REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", "inmemory").start()) {
            long pid = ProcessHandle.current().pid(); // both run in this JVM: its CPU time stands for theirs
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream original = System.out;
            int exit;
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            try {
                exit = Commands.commandLine().execute("bench", "cache",
                        "--target", "none=http://127.0.0.1:" + plain.port() + "=" + pid,
                        "--target", "inmemory=http://127.0.0.1:" + cached.port() + "=" + pid,
                        "--scenario", "head-blob,manifest-get-digest", "--rounds", "1", "--warmup", "0", "--count", "20",
                        "--concurrency", "2");
            } finally {
                System.setOut(original);
            }
            List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
            assertThat(lines.get(0)).contains("inmemory/none");
            assertThat(lines.subList(1, lines.size())).hasSize(2).allSatisfy(line -> assertThat(line).matches(".* op/s .*\\d+\\.\\d\\dx.*"));
            assertThat(exit).isZero();
        }
    }

    @Test
    void aBlobWhoseBytesChangedOnDiskIsCaughtWhenPulled() throws Exception {
        try (TestRegistry registry = TestRegistry.start(root);
                HttpConnection connection = new HttpConnection(URI.create("http://127.0.0.1:" + registry.port()))) {
            Payload blob = Payload.of(7, 100_000);
            Client.pushMonolithic(connection, "smoke", blob);
            String hex = blob.digest().substring("sha256:".length());
            Path data = root.resolve("docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
            byte[] bytes = Files.readAllBytes(data);
            bytes[50_000] ^= 1;
            Files.write(data, bytes);

            assertThat(Client.pullBlob(connection, "smoke", blob, false)).as("headers alone look right").isEqualTo(100_000);
            assertThatThrownBy(() -> Client.pullBlob(connection, "smoke", blob, true))
                    .isInstanceOf(Client.WrongAnswer.class).hasMessageContaining("does not hash");
        }
    }

    @Test
    void payloadSlicesHoldTheBytesOfTheWholeBlob() throws Exception {
        Payload blob = Payload.of(3, 300_000);
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        blob.writeTo(whole);
        ByteArrayOutputStream pieces = new ByteArrayOutputStream();
        for (long from = 0; from < blob.length(); from += 70_001) {
            blob.slice(from, Math.min(70_001, blob.length() - from)).writeTo(pieces);
        }
        assertThat(pieces.toByteArray()).isEqualTo(whole.toByteArray());
        assertThat(Payload.of(4, 300_000).digest()).as("blobs of other seeds differ").isNotEqualTo(blob.digest());
    }
}
