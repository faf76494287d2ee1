package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobPullTest extends RegistryTestBase {

    byte[] content;
    Digest digest;

    @BeforeEach
    void pushContent() throws Exception {
        content = new byte[300_000];
        new Random(7).nextBytes(content);
        digest = registry.push("library/app", content);
    }

    private String blob() {
        return "/v2/library/app/blobs/" + digest;
    }

    @Test
    void getReturnsTheBytesWithDigestHeaders() throws Exception {
        HttpResponse<byte[]> response = registry.get(blob());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(content);
        assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(response.headers().firstValue("ETag")).hasValue('"' + digest.toString() + '"');
        assertThat(response.headers().firstValue("Content-Length")).hasValue(String.valueOf(content.length));
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(response.headers().firstValue("Accept-Ranges")).hasValue("bytes");
    }

    @Test
    void headReturnsLengthAndDigestWithoutBody() throws Exception {
        HttpResponse<byte[]> response = registry.head(blob());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(response.headers().firstValue("Content-Length")).hasValue(String.valueOf(content.length));
        assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
    }

    @Test
    void closedRangeReturnsPartialContent() throws Exception {
        HttpResponse<byte[]> response = registry.get(blob(), "Range", "bytes=1000-1999");
        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(content, 1000, 2000));
        assertThat(response.headers().firstValue("Content-Range")).hasValue("bytes 1000-1999/" + content.length);
        assertThat(response.headers().firstValue("Content-Length")).hasValue("1000");
    }

    @Test
    void openEndedRangeRunsToTheEnd() throws Exception {
        HttpResponse<byte[]> response = registry.get(blob(), "Range", "bytes=299990-");
        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(content, 299_990, 300_000));
    }

    @Test
    void suffixRangeReturnsTheLastBytes() throws Exception {
        HttpResponse<byte[]> response = registry.get(blob(), "Range", "bytes=-5");
        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(content, content.length - 5, content.length));
        assertThat(response.headers().firstValue("Content-Range")).hasValue("bytes 299995-299999/300000");
    }

    @Test
    void rangePastTheEndIsClampedToTheBlob() throws Exception {
        HttpResponse<byte[]> response = registry.get(blob(), "Range", "bytes=299000-999999");
        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(content, 299_000, 300_000));
    }

    @Test
    void rangeStartingPastTheEndIsUnsatisfiable416() throws Exception {
        HttpResponse<byte[]> response = registry.get(blob(), "Range", "bytes=300000-300010");
        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(response.headers().firstValue("Content-Range")).hasValue("bytes */300000");
        assertThat(errorCode(response)).isEqualTo("RANGE_INVALID");
    }

    @Test
    void malformedOrMultipleRangesServeTheWholeBlob() throws Exception {
        for (String range : new String[] {"bytes=abc", "lines=1-2", "bytes=0-1,5-6", "bytes=9-3"}) {
            HttpResponse<byte[]> response = registry.get(blob(), "Range", range);
            assertThat(response.statusCode()).as(range).isEqualTo(200);
            assertThat(response.body()).as(range).isEqualTo(content);
        }
    }

    @Test
    void headWithRangeReportsThePartLength() throws Exception {
        HttpResponse<byte[]> response = registry.send("HEAD", blob(), null, "Range", "bytes=0-9");
        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.headers().firstValue("Content-Length")).hasValue("10");
    }

    @Test
    void matchingIfNoneMatchGets304() throws Exception {
        HttpResponse<byte[]> response = registry.get(blob(), "If-None-Match", '"' + digest.toString() + '"');
        assertThat(response.statusCode()).isEqualTo(304);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void unknownBlobIsBlobUnknown404() throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/library/app/blobs/" + Digest.sha256("other".getBytes()));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCode(response)).isEqualTo("BLOB_UNKNOWN");
        assertThat(response.headers().firstValue("Connection")).as("a request without a body keeps its connection").isEmpty();
        assertThat(registry.head("/v2/library/app/blobs/" + Digest.sha256("other".getBytes())).statusCode()).isEqualTo(404);
    }

    @Test
    void blobIsInvisibleFromARepositoryWithoutALink() throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/library/other/blobs/" + digest);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCode(response)).isEqualTo("BLOB_UNKNOWN");
    }

    @Test
    void deleteRemovesOnlyThisRepositorysLink() throws Exception {
        registry.push("library/other", content);
        HttpResponse<byte[]> deleted = registry.send("DELETE", blob(), null);
        assertThat(deleted.statusCode()).isEqualTo(202);
        assertThat(registry.get(blob()).statusCode()).isEqualTo(404);
        assertThat(registry.get("/v2/library/other/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void deleteOfAnUnknownBlobIsBlobUnknown() throws Exception {
        HttpResponse<byte[]> response = registry.send("DELETE", "/v2/library/app/blobs/" + Digest.sha256(new byte[1]), null);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCode(response)).isEqualTo("BLOB_UNKNOWN");
    }

    @Test
    void deleteIsUnsupportedWhenDeletesAreDisabled(@TempDir Path otherRoot) throws Exception {
        try (TestRegistry noDeletes = TestRegistry.builder(otherRoot).env("REGISTRY_STORAGE_DELETE_ENABLED", "false").start()) {
            Digest pushed = noDeletes.push("library/app", content);
            HttpResponse<byte[]> response = noDeletes.send("DELETE", "/v2/library/app/blobs/" + pushed, null);
            assertThat(response.statusCode()).isEqualTo(405);
            assertThat(errorCode(response)).isEqualTo("UNSUPPORTED");
            assertThat(noDeletes.get("/v2/library/app/blobs/" + pushed).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void emptyBlobIsServedWithZeroLength() throws Exception {
        Digest empty = registry.push("library/app", new byte[0]);
        HttpResponse<byte[]> response = registry.get("/v2/library/app/blobs/" + empty);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(response.headers().firstValue("Content-Length")).hasValue("0");
        assertThat(registry.get("/v2/library/app/blobs/" + empty, "Range", "bytes=0-0").statusCode()).isEqualTo(416);
    }
}
