package io.berth.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.storage.driver.filesystem.FilesystemDriver;
import io.berth.storage.driver.filesystem.Flusher;
import io.berth.testing.TestRegistry;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Before a push is acknowledged, the blob's bytes, its rename into place and its repository link
 * are all on disk: each file is synced, and each directory after the name appeared in it.
 */
class CommitDurabilityTest {

    @TempDir
    Path root;

    /** What the driver flushed, as root-relative paths, in order. */
    final List<String> flushed = Collections.synchronizedList(new ArrayList<>());

    final Flusher recorder = new Flusher() {
        @Override
        public void flushFile(Path file, FileChannel channel) throws IOException {
            Flusher.FSYNC.flushFile(file, channel);
            flushed.add("file " + root.relativize(file));
        }

        @Override
        public void flushDirectory(Path dir) throws IOException {
            Flusher.FSYNC.flushDirectory(dir);
            flushed.add("dir " + root.relativize(dir));
        }
    };

    @Test
    void chunkedPushIsDurableBeforeThe201() throws Exception {
        byte[] content = "durable bytes".getBytes();
        Digest digest = Digest.sha256(content);
        String v2 = "docker/registry/v2/";
        String blobDir = v2 + "blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex();
        String linkDir = v2 + "repositories/app/_layers/sha256/" + digest.hex();
        try (TestRegistry registry = TestRegistry.builder(root).driver(r -> new FilesystemDriver(r, recorder)).start()) {
            String location = registry.startUpload("app");
            HttpResponse<byte[]> patched = registry.send("PATCH", location, content);
            String uploadData = v2 + "repositories/app/_uploads/" + patched.headers().firstValue("Docker-Upload-UUID").orElseThrow() + "/data";
            assertThat(flushed).as("a PATCH need not be flushed").doesNotContain("file " + uploadData);
            flushed.clear();

            HttpResponse<byte[]> done = registry.send("PUT", TestRegistry.withQuery(patched.headers().firstValue("Location").orElseThrow(), "digest=" + digest), null);
            assertThat(done.statusCode()).isEqualTo(201);

            List<String> beforeAnswer = List.copyOf(flushed);
            assertThat(beforeAnswer).contains("file " + uploadData, "dir " + blobDir, "dir " + linkDir);
            assertThat(beforeAnswer.stream().filter(e -> e.startsWith("file " + linkDir + "/.berth-tmp-"))).hasSize(1);
            assertThat(beforeAnswer.indexOf("file " + uploadData)).as("bytes synced before they are moved into place")
                    .isLessThan(beforeAnswer.indexOf("dir " + blobDir));
        }
        assertThat(Files.readString(root.resolve(linkDir + "/link"))).isEqualTo(digest.toString());
    }

    @Test
    void singleRequestPushIsDurableBeforeThe201() throws Exception {
        byte[] content = "monolithic durable bytes".getBytes();
        try (TestRegistry registry = TestRegistry.builder(root).driver(r -> new FilesystemDriver(r, recorder)).start()) {
            Digest digest = registry.push("app", content);
            assertThat(flushed).contains(
                    "dir docker/registry/v2/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex(),
                    "dir docker/registry/v2/repositories/app/_layers/sha256/" + digest.hex());
            assertThat(flushed).anyMatch(e -> e.startsWith("file docker/registry/v2/repositories/app/_uploads/") && e.endsWith("/data"));
        }
    }
}
