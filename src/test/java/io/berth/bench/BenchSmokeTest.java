package io.berth.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.storage.driver.filesystem.FilesystemDriver;
import io.berth.testing.CountingDriver;
import io.berth.testing.TestRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A fast run of every `berth bench` scenario against a real server, proof that it notices wrong
 * answers, and that it deletes what it pushed (or says what it left).
 */
class BenchSmokeTest {

    private static final Pattern LAYER_LINK = Pattern.compile("/repositories/(.+)/_layers/sha256/(\\p{XDigit}{64})/link");

    @TempDir
    Path root;

    /** What a {@code berth bench} command printed, captured through picocli's writers, and how it ended. */
    record Run(int exit, List<String> out, String err) {
        static Run of(String... arguments) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = new CommandLine(new BenchCommand()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                    .execute(arguments);
            return new Run(exit, out.toString().lines().toList(), err.toString());
        }
    }

    @Test
    void everyScenarioRunsWithoutErrorsAgainstBerthAndDeletesWhatItPushed() throws Exception {
        CountingDriver[] driver = new CountingDriver[1];
        try (TestRegistry registry = TestRegistry.builder(root).driver(r -> driver[0] = new CountingDriver(new FilesystemDriver(r))).start()) {
            Run run = Run.of("--url", "http://127.0.0.1:" + registry.port(),
                    "--scenario", "all", "--count", "6", "--concurrency", "2", "--size", "64KiB", "--chunk", "16KiB",
                    "--duration", "1s", "--json");

            assertThat(run.out()).hasSize(Scenarios.ALL.size());
            assertThat(run.out()).allSatisfy(line -> assertThat(line).contains("\"errors\":0").doesNotContain("\"ops\":0,"));
            assertThat(run.err()).startsWith("berth bench: deleted the ").doesNotContain("left");
            assertThat(run.exit()).isZero();
            assertThat(links("_manifests")).as("manifest and tag links left").isEmpty();
            assertThat(links("_layers")).as("blob links left").isEmpty();
            // Every blob the run linked into a repository is gone from it.
            List<String> linked = driver[0].snapshot().keySet().stream().map(LAYER_LINK::matcher).filter(Matcher::find)
                    .map(m -> "/v2/" + m.group(1) + "/blobs/sha256:" + m.group(2)).distinct().toList();
            assertThat(linked).hasSizeGreaterThan(Scenarios.ALL.size());
            for (String blob : linked) {
                assertThat(registry.head(blob).statusCode()).as(blob).isEqualTo(404);
            }
        }
    }

    @Test
    void againstARegistryWithoutDeletesItSaysOnceWhatItLeft() throws Exception {
        try (TestRegistry registry = TestRegistry.builder(root).env("REGISTRY_STORAGE_DELETE_ENABLED", "false").start()) {
            Run run = Run.of("--url", "http://127.0.0.1:" + registry.port(), "--scenario", "push-monolithic,manifest-put",
                    "--count", "4", "--concurrency", "2", "--size", "256KiB", "--json");

            assertThat(run.exit()).isZero();
            assertThat(run.out()).hasSize(2).allSatisfy(line -> assertThat(line).contains("\"errors\":0"));
            // manifest-put pushes a config and a layer of 4 KiB, then 4 manifests naming them.
            assertThat(run.err().lines().toList()).singleElement().asString()
                    .matches("berth bench: could not clean up, the registry refuses deletes: left 4 manifests and 6 blobs "
                            + "\\(1\\.0 MiB\\) in 2 repositories \\(bench/manifest-put-\\p{XDigit}+, bench/push-monolithic-\\p{XDigit}+\\): "
                            + "enable storage.delete to let berth bench clean up");
            assertThat(links("_layers")).as("blob links left").hasSize(6);
            assertThat(links("_manifests/revisions")).as("manifests left").hasSize(4);
        }
    }

    @Test
    void withKeepItLeavesWhatItPushedAndSaysNothingOfIt() throws Exception {
        try (TestRegistry registry = TestRegistry.start(root)) {
            Run run = Run.of("--url", "http://127.0.0.1:" + registry.port(), "--scenario", "push-chunked",
                    "--count", "3", "--size", "40KiB", "--chunk", "16KiB", "--json", "--keep");

            assertThat(run.exit()).isZero();
            assertThat(run.out()).singleElement().asString().contains("\"errors\":0");
            assertThat(run.err()).isEmpty();
            String repository = repositories().get(0);
            for (String blob : storedBlobs()) {
                assertThat(registry.head("/v2/" + repository + "/blobs/" + blob).statusCode()).as(blob).isEqualTo(200);
            }
            assertThat(storedBlobs()).hasSize(3);
        }
    }

    @Test
    void theCacheComparisonRunsAgainstBerthsWithAndWithoutACache(@TempDir Path cachedRoot) throws Exception {
        try (TestRegistry plain = TestRegistry.start(root);
                TestRegistry cached = TestRegistry.builder(cachedRoot).env("REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", "inmemory").start()) {
            long pid = ProcessHandle.current().pid(); // both run in this JVM: its CPU time stands for theirs
            Run run = Run.of("cache",
                    "--target", "none=http://127.0.0.1:" + plain.port() + "=" + pid,
                    "--target", "inmemory=http://127.0.0.1:" + cached.port() + "=" + pid,
                    "--scenario", "head-blob,manifest-get-digest", "--rounds", "1", "--warmup", "0", "--count", "20",
                    "--concurrency", "2");

            assertThat(run.out().get(0)).contains("inmemory/none");
            assertThat(run.out().subList(1, run.out().size())).hasSize(2)
                    .allSatisfy(line -> assertThat(line).matches(".* op/s .*\\d+\\.\\d\\dx.*"));
            assertThat(run.err().lines().toList()).hasSize(2).allSatisfy(line -> assertThat(line).startsWith("berth bench: deleted the "));
            assertThat(run.exit()).isZero();
        }
    }

    @Test
    void theTargetsComparisonSignsInWithBasicAndWithBearerTokensAsEachRegistryAsks(@TempDir Path dir) throws Exception {
        Path htpasswd = htpasswd(dir, "bench", "s3cret");
        try (TestRegistry open = TestRegistry.start(dir.resolve("none"));
                TestRegistry basic = TestRegistry.builder(dir.resolve("basic")).env("REGISTRY_AUTH_HTPASSWD_PATH", htpasswd.toString()).start();
                TestRegistry bearer = TestRegistry.builder(dir.resolve("bearer")).env("REGISTRY_AUTH_HTPASSWD_PATH", htpasswd.toString())
                        .env("REGISTRY_AUTH_TOKENSERVER_ENABLED", "true").start()) {
            long pid = ProcessHandle.current().pid();
            Run run = Run.of("targets",
                    "--target", "none=http://127.0.0.1:" + open.port() + "=" + pid,
                    "--target", "basic=http://bench:s3cret@127.0.0.1:" + basic.port() + "=" + pid,
                    "--target", "bearer=http://bench:s3cret@127.0.0.1:" + bearer.port() + "=" + pid,
                    "--scenario", "head-blob", "--rounds", "1", "--warmup", "0", "--duration", "300ms", "--concurrency", "2");

            assertThat(run.out().get(0)).contains("basic/none", "bearer/none");
            assertThat(run.out().subList(1, run.out().size())).singleElement().asString()
                    .matches("head-blob c2 +\\d+ op/s +\\d+ op/s +\\d+ op/s +\\d+\\.\\d\\dx +\\d+\\.\\d\\dx .*");
            // Each registry's blob is deleted again, which needs the sign-in (and a token for delete) as well.
            assertThat(run.err().lines().toList()).hasSize(3).allSatisfy(line -> assertThat(line).startsWith("berth bench: deleted the 1 "));
            assertThat(run.exit()).isZero();
            assertThat(bearer.head("/v2/").headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer "));
        }
    }

    @Test
    void aWrongPasswordOrNoneFailsTheRunWithTheRegistrysAnswer(@TempDir Path dir) throws Exception {
        Path htpasswd = htpasswd(dir, "bench", "s3cret");
        try (TestRegistry registry = TestRegistry.builder(root).env("REGISTRY_AUTH_HTPASSWD_PATH", htpasswd.toString()).start()) {
            for (String user : List.of("bench:wrong@", "")) {
                Run run = Run.of("--url", "http://" + user + "127.0.0.1:" + registry.port(), "--scenario", "head-blob",
                        "--count", "4", "--concurrency", "1", "--json");

                assertThat(run.exit()).as(user).isNotZero();
                assertThat(run.err()).as(user).contains("upload start: expected 202, got 401");
                assertThat(root.resolve("docker/registry/v2/blobs")).as(user).doesNotExist();
            }
        }
    }

    /** An htpasswd file of one user, as {@code htpasswd -Bbn} writes it (cost 4: one bcrypt check is all the test needs). */
    private static Path htpasswd(Path dir, String user, String password) throws Exception {
        Process process = new ProcessBuilder("htpasswd", "-Bbn", "-C", "4", user, password).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String line = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor()).isZero();
        return Files.writeString(dir.resolve("htpasswd"), line + "\n");
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

    /** The repositories on storage, by name. */
    private List<String> repositories() throws IOException {
        Path repositories = root.resolve("docker/registry/v2/repositories");
        try (Stream<Path> paths = Files.walk(repositories)) {
            return paths.filter(p -> p.getFileName().toString().startsWith("_"))
                    .map(p -> repositories.relativize(p.getParent()).toString()).distinct().sorted().toList();
        }
    }

    /** Link files under {@code <repository>/<under>} in every repository. */
    private List<Path> links(String under) throws IOException {
        try (Stream<Path> paths = Files.walk(root.resolve("docker/registry/v2/repositories"))) {
            return paths.filter(p -> p.getFileName().toString().equals("link") && p.toString().contains("/" + under + "/")).toList();
        }
    }

    /** The digests of the blob data on storage. */
    private List<String> storedBlobs() throws IOException {
        try (Stream<Path> paths = Files.walk(root.resolve("docker/registry/v2/blobs"))) {
            return paths.filter(p -> p.getFileName().toString().equals("data"))
                    .map(p -> "sha256:" + p.getParent().getFileName()).toList();
        }
    }
}
