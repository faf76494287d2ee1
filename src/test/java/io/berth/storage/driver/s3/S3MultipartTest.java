package io.berth.storage.driver.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.storage.driver.CheckedStorageDriver;
import io.berth.storage.driver.FileWriter;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException.PathNotFound;
import io.berth.testing.S3Proxy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * What the S3 driver does beyond the common contract: writers that persist parts across requests
 * and processes, the merge of a last part below S3's minimum, multipart copies, Distribution's keys
 * and presigned redirects. Parts here are S3's minimum, 5 MiB, to keep the files small.
 */
class S3MultipartTest {

    private static final int MIB = 1024 * 1024;
    private static final int PART = 5 * MIB;
    private static String bucket;
    private static int roots;

    private S3Settings settings;
    private StorageDriver driver;

    @BeforeAll
    static void createBucket() {
        bucket = S3Proxy.shared().createBucket("multipart");
    }

    @BeforeEach
    void openDriver() {
        settings = S3Proxy.shared().settings(bucket).withRootDirectory("/root-" + ++roots).withSizes(PART, PART, PART);
        driver = open();
    }

    @AfterEach
    void closeDriver() throws Exception {
        driver.close();
        S3Proxy.shared().empty(bucket);
    }

    /** A driver of its own over the same bucket and root: what another Berth process has. */
    private StorageDriver open() {
        return CheckedStorageDriver.wrap(new S3Driver(settings));
    }

    @Test
    void aWriterClosedWithoutCommitLeavesItsPartsInAnOpenUploadThatTheNextAppendContinues() throws Exception {
        byte[] content = random(2 * PART + MIB + 7, 1);

        append(driver, content, 0, PART + MIB);
        assertThat(uploads()).hasSize(1);
        assertThat(objectExists("/f")).as("nothing is readable as an object yet").isFalse();
        assertThat(driver.stat("/f").size()).as("stat counts the parts").isEqualTo(PART + MIB);

        String upload = uploads().getFirst().uploadId();
        try (FileWriter writer = driver.writer("/f", true)) {
            assertThat(writer.size()).isEqualTo(PART + MIB);
            writer.write(content, PART + MIB, content.length - PART - MIB);
            writer.commit();
        }

        assertThat(uploads()).isEmpty();
        assertThat(driver.getContent("/f")).isEqualTo(content);
        assertThat(upload).as("the first writer's upload was the one continued").isNotNull();
    }

    @Test
    void appendsAfterASmallLastPartMergeItSoThatEveryPartButTheLastIsBigEnough() throws Exception {
        byte[] content = random(3 * PART + 3 * MIB, 2);
        // 5 MiB + 1 MiB, then 2 MiB, then 1 MiB + 5 MiB: each close leaves a part below the minimum.
        int[] chunks = {PART + MIB, 2 * MIB, MIB + PART, MIB};
        int at = 0;
        for (int chunk : chunks) {
            append(driver, content, at, chunk);
            at += chunk;
            assertThat(driver.stat("/f").size()).isEqualTo(at);
        }
        try (FileWriter writer = driver.writer("/f", true)) {
            writer.write(content, at, content.length - at);
            writer.commit();
        }

        assertThat(driver.getContent("/f")).isEqualTo(content);
        assertThat(uploads()).isEmpty();
    }

    @Test
    void anUploadStartedByOneProcessIsContinuedByAnotherAndFinishedByTheFirst() throws Exception {
        byte[] content = random(3 * PART, 3);
        try (StorageDriver other = open()) {
            append(driver, content, 0, PART + 100);
            append(other, content, PART + 100, PART);
            try (FileWriter writer = driver.writer("/f", true)) {
                assertThat(writer.size()).isEqualTo(2 * PART + 100);
                writer.write(content, 2 * PART + 100, content.length - 2 * PART - 100);
                writer.commit();
            }
            assertThat(other.getContent("/f")).isEqualTo(content);
        }
    }

    @Test
    void readingAnUnfinishedFileCompletesItsUploadAndALaterAppendContinuesFromThere() throws Exception {
        byte[] content = random(2 * PART + 5, 4);
        append(driver, content, 0, PART + 3);

        assertThat(driver.getContent("/f")).isEqualTo(slice(content, 0, PART + 3));
        assertThat(uploads()).isEmpty();

        append(driver, content, PART + 3, content.length - PART - 3);
        assertThat(driver.getContent("/f")).isEqualTo(content);
    }

    @Test
    void appendingToABigObjectCopiesItIntoTheFirstPartOfANewUpload() throws Exception {
        byte[] content = random(PART + MIB + 1, 5);
        driver.putContent("/f", slice(content, 0, PART + MIB));

        append(driver, content, PART + MIB, 1);
        assertThat(objectExists("/f")).as("the object was taken over by the upload").isFalse();
        assertThat(driver.stat("/f").size()).isEqualTo(content.length);

        try (FileWriter writer = driver.writer("/f", true)) {
            writer.commit();
        }
        assertThat(driver.getContent("/f")).isEqualTo(content);
    }

    @Test
    void cancelAbortsTheUploadAndRemovesTheFile() throws Exception {
        append(driver, random(PART + 1, 6), 0, PART + 1);

        try (FileWriter writer = driver.writer("/f", true)) {
            writer.write(new byte[10]);
            writer.cancel();
        }

        assertThat(uploads()).isEmpty();
        assertThatThrownBy(() -> driver.stat("/f")).isInstanceOf(PathNotFound.class);
    }

    @Test
    void deletingADirectoryAbortsTheUnfinishedUploadsBelowIt() throws Exception {
        byte[] content = random(PART + 1, 7);
        try (FileWriter writer = driver.writer("/dir/sub/f", false)) {
            writer.write(content);
        }
        driver.putContent("/dir/other", new byte[1]);
        driver.putContent("/dir-sibling/f", new byte[1]);
        assertThat(uploads()).hasSize(1);

        driver.delete("/dir");

        assertThat(uploads()).isEmpty();
        assertThat(driver.list("/")).containsExactly("/dir-sibling");
        driver.delete("/dir-sibling");
    }

    @Test
    void aFileOnlyInAnOpenUploadCanBeDeleted() throws Exception {
        append(driver, random(PART + 1, 8), 0, PART + 1);

        driver.delete("/f");

        assertThat(uploads()).isEmpty();
        assertThatThrownBy(() -> driver.stat("/f")).isInstanceOf(PathNotFound.class);
    }

    @Test
    void movesAboveTheThresholdCopyInPartsAndLeaveTheSameBytes() throws Exception {
        byte[] content = random(2 * PART + PART / 2, 9);
        driver.putContent("/from", content);

        driver.move("/from", "/to/file");

        assertThat(driver.getContent("/to/file")).isEqualTo(content);
        assertThatThrownBy(() -> driver.stat("/from")).isInstanceOf(PathNotFound.class);
        assertThat(uploads()).as("the copy's upload was completed").isEmpty();
    }

    @Test
    void keysAreTheRootDirectoryAndThePathAsInDistribution() throws Exception {
        driver.putContent("/docker/registry/v2/repositories/library/a/_layers/sha256/ab/link", "sha256:ab".getBytes());

        String key = settings.rootDirectory().substring(1) + "/docker/registry/v2/repositories/library/a/_layers/sha256/ab/link";
        assertThat(client().getObjectAsBytes(g -> g.bucket(bucket).key(key)).asUtf8String()).isEqualTo("sha256:ab");
        driver.delete("/docker");
    }

    @Test
    void withoutARootDirectoryKeysStartAtTheTopOfTheBucket() throws Exception {
        String own = S3Proxy.shared().createBucket("toplevel");
        try (StorageDriver top = CheckedStorageDriver.wrap(new S3Driver(S3Proxy.shared().settings(own)))) {
            top.putContent("/docker/registry/v2/x", new byte[] {1});

            assertThat(client().listObjectsV2(l -> l.bucket(own)).contents()).extracting(o -> o.key())
                    .containsExactly("docker/registry/v2/x");
            assertThat(top.list("/")).containsExactly("/docker");
        }
    }

    @Test
    void aRedirectUrlServesTheFileToAPlainHttpClient() throws Exception {
        byte[] content = random(100_000, 10);
        driver.putContent("/blob/data", content);

        URI url = driver.redirectUrl("/blob/data").orElseThrow();
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(content);
        assertThat(url.getQuery()).contains("X-Amz-Expires=1200");
    }

    @Test
    void readersCanStartInsideAnyPart() throws Exception {
        byte[] content = random(2 * PART + 10, 11);
        try (FileWriter writer = driver.writer("/f", false)) {
            writer.write(content);
            writer.commit();
        }
        for (long offset : List.of(0L, 1L, (long) PART, (long) PART + 1, (long) content.length - 1, (long) content.length)) {
            try (InputStream in = driver.reader("/f", offset)) {
                assertThat(in.readAllBytes()).isEqualTo(slice(content, (int) offset, content.length - (int) offset));
            }
        }
        // Closing a reader early drops its connection instead of reading the rest first.
        try (InputStream in = driver.reader("/f", 0)) {
            assertThat(in.read()).isEqualTo(content[0] & 0xff);
        }
    }

    private static void append(StorageDriver driver, byte[] content, int from, int length) throws IOException {
        try (FileWriter writer = driver.writer("/f", true)) {
            assertThat(writer.size()).isEqualTo(from);
            // In HTTP-sized pieces, as an upload arrives.
            for (int at = from; at < from + length; at += 64 * 1024) {
                writer.write(content, at, Math.min(64 * 1024, from + length - at));
            }
            assertThat(writer.size()).isEqualTo(from + length);
        }
    }

    private List<MultipartUpload> uploads() {
        String prefix = settings.rootDirectory().substring(1) + "/";
        return client().listMultipartUploads(l -> l.bucket(bucket).prefix(prefix)).uploads();
    }

    private boolean objectExists(String path) {
        try {
            client().headObject(h -> h.bucket(bucket).key(key(path)));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        }
    }

    private String key(String path) {
        return settings.rootDirectory().substring(1) + path;
    }

    private static S3Client client() {
        return S3Proxy.shared().client();
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] slice(byte[] bytes, int from, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, from, length);
        return out.toByteArray();
    }
}
