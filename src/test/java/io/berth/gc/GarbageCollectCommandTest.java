package io.berth.gc;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.storage.Paths;
import io.berth.testing.Cli;
import io.berth.testing.Images;
import io.berth.testing.Skopeo;
import io.berth.testing.TestRegistry;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth garbage-collect} as a process over a root a real registry filled, and Distribution
 * 2.8's own {@code garbage-collect --dry-run} on the same root afterwards, which must find nothing
 * more to delete.
 */
class GarbageCollectCommandTest {

    private static final Pattern DISTRIBUTION_SUMMARY =
            Pattern.compile("(\\d+) blobs marked, (\\d+) blobs and (\\d+) manifests eligible for deletion");

    @TempDir
    Path folder;

    @Test
    void collectsWhatNoManifestUsesLeavesNothingForDistributionAndTheRootStillPulls() throws Exception {
        Path root = folder.resolve("root");
        Path config = config(root);
        Digest orphan;
        Digest droppedLayer;
        try (TestRegistry registry = TestRegistry.start(root)) {
            Images images = new Images(registry);
            images.push("team/app", "v1", images.image("team/app", "kept", 2));
            Map<String, Object> dropped = images.image("team/app", "dropped", 1);
            Digest droppedDigest = images.push("team/app", "v2", dropped);
            assertThat(registry.send("DELETE", "/v2/team/app/manifests/" + droppedDigest, null).statusCode()).isEqualTo(202);
            droppedLayer = GarbageCollectorContract.digest(GarbageCollectorContract.layers(dropped).get(0));
            orphan = registry.push("scratch", "never referenced".getBytes());
        }
        assertThat(distributionEligible(config)).isEqualTo(4); // the check below can fail
        List<Path> before = files(root);

        Cli.Result dry = Cli.run(Map.of(), "garbage-collect", "--dry-run", config.toString());

        assertThat(dry.exitCode()).as(dry.stderr()).isZero();
        assertThat(dry.stdout()).contains("team/app: marking manifest ", "team/app: marking blob ",
                "blob eligible for deletion: " + orphan, "blob eligible for deletion: " + droppedLayer,
                "4 blobs and 0 manifests eligible for deletion", "dry run: nothing deleted").doesNotContain("Deleting blob");
        assertThat(files(root)).isEqualTo(before);

        Cli.Result done = Cli.run(Map.of(), "garbage-collect", config.toString());

        assertThat(done.exitCode()).as(done.stderr()).isZero();
        assertThat(done.stderr()).contains("must be stopped or read-only");
        assertThat(done.stdout()).contains("Deleting blob: " + Paths.of(new Paths.BlobDir(orphan)), "4 blobs (")
                .doesNotContain("dry run");
        assertThat(root.resolve("docker/registry/v2/blobs/sha256/" + orphan.hex().substring(0, 2) + "/" + orphan.hex())).doesNotExist();
        assertThat(distributionEligible(config)).isZero();
        try (TestRegistry registry = TestRegistry.start(root)) {
            new Skopeo().copy("docker://127.0.0.1:" + registry.port() + "/team/app:v1", "oci:" + folder.resolve("pulled") + ":v1");
        }
        assertThat(folder.resolve("pulled/index.json")).exists();
    }

    @Test
    void deleteUntaggedKeepsMultiArchImagesAndLeavesNothingForDistribution() throws Exception {
        Path root = folder.resolve("root");
        Path config = config(root);
        Digest untaggedDigest;
        try (TestRegistry registry = TestRegistry.start(root)) {
            Images images = new Images(registry);
            Map<String, Object> amd64 = images.image("multi", "amd64", 1);
            images.push("multi", GarbageCollectorContract.digestOf(amd64).toString(), amd64);
            Map<String, Object> arm64 = images.image("multi", "arm64", 1);
            images.push("multi", GarbageCollectorContract.digestOf(arm64).toString(), arm64);
            images.push("multi", "latest", GarbageCollectorContract.index(amd64, arm64));
            Map<String, Object> untagged = images.image("multi", "untagged", 1);
            untaggedDigest = images.push("multi", GarbageCollectorContract.digestOf(untagged).toString(), untagged);
        }

        Cli.Result done = Cli.run(Map.of(), "garbage-collect", "-m", config.toString());

        assertThat(done.exitCode()).as(done.stderr()).isZero();
        assertThat(done.stdout()).contains("manifest eligible for deletion: multi@" + untaggedDigest,
                "3 blobs and 1 manifests eligible for deletion", "1 manifests and 3 blobs (");
        assertThat(distributionEligible(config)).isZero();
        try (TestRegistry registry = TestRegistry.start(root)) {
            new Skopeo().copy("docker://127.0.0.1:" + registry.port() + "/multi:latest", "oci:" + folder.resolve("pulled") + ":latest",
                    "--all");
            assertThat(registry.get("/v2/multi/manifests/" + untaggedDigest).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aBadConfigurationExitsTwo() throws Exception {
        Path config = folder.resolve("config.yml");
        Files.writeString(config, "version: 0.1\nstorage:\n  nosuchdriver: {}\n");

        Cli.Result result = Cli.run(Map.of(), "garbage-collect", "--dry-run", config.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("berth: ").doesNotContain("Exception");
    }

    private Path config(Path root) throws IOException {
        Path config = folder.resolve("config.yml");
        Files.writeString(config, "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + root + "\n");
        return config;
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** How many blobs Distribution's own garbage-collect finds eligible for deletion on the root, dry run. */
    private static long distributionEligible(Path config) throws Exception {
        Process process = new ProcessBuilder("docker-registry", "garbage-collect", "--dry-run", config.toString())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        Matcher summary = DISTRIBUTION_SUMMARY.matcher(output);
        assertThat(summary.find()).as(output).isTrue();
        return Long.parseLong(summary.group(2));
    }
}
