package io.berth.storage;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import io.berth.testing.TestRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real registry whose storage root is on an 8 MiB tmpfs: a push that does not fit gets 507 with
 * a JSON error and leaves storage exactly as it was, what was stored before is still served, and
 * once space is freed pushes succeed again without a restart. Needs {@code mount} (root).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DiskFullTest {

    private static final String REPO = "full/app";

    @TempDir
    static Path temp;
    static Path mount;
    static Path root;
    static TestRegistry registry;
    static Images images;
    static byte[] earlier;
    static Digest earlierDigest;
    static Digest earlierManifest;

    @BeforeAll
    static void startOnATinyDisk() throws Exception {
        mount = Files.createDirectory(temp.resolve("mnt"));
        String refused = run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount.toString());
        Assumptions.assumeTrue(refused == null, () -> "skipped: cannot mount a tmpfs to fill (" + refused + ")");
        root = Files.createDirectory(mount.resolve("registry"));
        registry = TestRegistry.start(root);
        images = new Images(registry);
        earlier = random(200 * 1024, 1);
        earlierDigest = registry.push(REPO, earlier);
        earlierManifest = images.push(REPO, "v1", images.image(REPO, "before", 1));
    }

    @AfterAll
    static void unmount() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (root != null) {
            assertThat(run("umount", mount.toString())).as("umount").isNull();
        }
    }

    @Test
    @Order(1)
    void monolithicPushBiggerThanTheDiskGets507AndLeavesNothing() throws Exception {
        List<String> before = tree();
        byte[] big = random(12 * 1024 * 1024, 2);
        Digest digest = Digest.sha256(big);
        HttpResponse<byte[]> response = registry.send("POST", "/v2/" + REPO + "/blobs/uploads/?digest=" + digest, big);
        assertInsufficientStorage(response);
        assertThat(registry.get("/v2/" + REPO + "/blobs/" + digest).statusCode()).isEqualTo(404);
        assertThat(tree()).as("storage after the failed push").isEqualTo(before);
        assertEarlierContentServed();
    }

    @Test
    @Order(2)
    void chunkTooBigForTheDiskGets507AndRemovesItsUpload() throws Exception {
        List<String> before = tree();
        String location = registry.startUpload(REPO);
        byte[] small = random(64 * 1024, 3);
        HttpResponse<byte[]> first = registry.send("PATCH", location, small, "Content-Range", "0-" + (small.length - 1));
        assertThat(first.statusCode()).isEqualTo(202);
        location = first.headers().firstValue("Location").orElseThrow();
        byte[] big = random(10 * 1024 * 1024, 4);
        HttpResponse<byte[]> second = registry.send("PATCH", location, big,
                "Content-Range", small.length + "-" + (small.length + big.length - 1));
        assertInsufficientStorage(second);
        // The upload is removed rather than kept at its last good size: that frees its space at once.
        HttpResponse<byte[]> status = registry.get(location);
        assertThat(status.statusCode()).isEqualTo(404);
        assertThat(errorCode(status)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        assertThat(tree()).as("storage after the failed chunk").isEqualTo(before);
        assertEarlierContentServed();
    }

    @Test
    @Order(3)
    void aFullDiskRefusesEveryWriteAndServiceResumesOnceSpaceIsFreed() throws Exception {
        Path filler = mount.resolve("filler");
        fill(filler);
        List<String> before = tree();
        byte[] blob = random(3 * 1024 * 1024, 5);
        Digest digest = Digest.sha256(blob);
        assertInsufficientStorage(registry.send("POST", "/v2/" + REPO + "/blobs/uploads/?digest=" + digest, blob));
        assertInsufficientStorage(registry.send("POST", "/v2/" + REPO + "/blobs/uploads/", null));
        Map<String, Object> image = imageOf(earlierDigest, earlier.length);
        assertInsufficientStorage(images.put(REPO, "v2", Images.json(image), MediaTypes.OCI_MANIFEST));
        assertThat(tree()).as("storage after the refused writes").isEqualTo(before);
        assertEarlierContentServed();

        Files.delete(filler);

        assertThat(registry.send("POST", "/v2/" + REPO + "/blobs/uploads/?digest=" + digest, blob).statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/" + REPO + "/blobs/" + digest).body()).isEqualTo(blob);
        assertThat(images.put(REPO, "v2", Images.json(image), MediaTypes.OCI_MANIFEST).statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/" + REPO + "/manifests/v2").statusCode()).isEqualTo(200);
    }

    private static void assertInsufficientStorage(HttpResponse<byte[]> response) throws IOException {
        assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(507);
        assertThat(errorCode(response)).isEqualTo("INSUFFICIENT_STORAGE");
        assertThat(new String(response.body())).doesNotContain("Exception").doesNotContain(root.toString());
    }

    private static void assertEarlierContentServed() throws Exception {
        assertThat(registry.get("/v2/" + REPO + "/blobs/" + earlierDigest).body()).isEqualTo(earlier);
        assertThat(registry.get("/v2/" + REPO + "/manifests/v1").statusCode()).isEqualTo(200);
        assertThat(registry.get("/v2/" + REPO + "/manifests/" + earlierManifest).statusCode()).isEqualTo(200);
    }

    /** Every file and folder under the storage root, so a failed request can be shown to have left nothing. */
    private static List<String> tree() throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.map(p -> root.relativize(p) + (Files.isDirectory(p) ? "/" : " " + size(p))).sorted().toList();
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes to {@code filler} until the disk refuses more. */
    private static void fill(Path filler) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            assertThat(e.getMessage()).contains("No space left on device");
        }
    }

    private static Map<String, Object> imageOf(Digest layer, long size) {
        return Map.of("schemaVersion", 2, "mediaType", MediaTypes.OCI_MANIFEST,
                "config", Images.descriptor(Images.OCI_CONFIG, layer, size),
                "layers", List.of(Images.descriptor(Images.OCI_LAYER, layer, size)));
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Runs a command; null when it succeeded, else what it said. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes()).trim();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return "timed out";
        }
        return process.exitValue() == 0 ? null : "exit " + process.exitValue() + ": " + output;
    }
}
