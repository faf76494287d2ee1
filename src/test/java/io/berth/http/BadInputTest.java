package io.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.RawHttp;
import io.berth.testing.TestRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hostile or broken requests get the spec's JSON error and touch nothing outside the storage root. */
class BadInputTest {

    static final String DIGEST = "sha256:abababababababababababababababababababababababababababababababab";
    static final String UUID = "3f1c1a52-7c1e-4b0e-9d4f-2d7b1c9e8a10";

    @TempDir
    Path sandbox;
    Path root;
    TestRegistry registry;

    @BeforeEach
    void start() throws Exception {
        root = Files.createDirectory(sandbox.resolve("root"));
        registry = TestRegistry.start(root);
    }

    @AfterEach
    void stop() throws Exception {
        registry.close();
        try (Stream<Path> entries = Files.list(sandbox)) {
            assertThat(entries.map(sandbox::relativize).map(Path::toString).toList())
                    .as("nothing was written beside the storage root").containsExactly("root");
        }
    }

    private RawHttp.Response raw(String method, String target, String... headers) throws Exception {
        RawHttp.Response response = RawHttp.request(registry.port(), method, target, headers);
        assertThat(response.status()).as(method + " " + target).isLessThan(500);
        assertThat(response.body()).as("no stack trace").doesNotContain("Exception").doesNotContain("\tat ");
        return response;
    }

    private void assertError(RawHttp.Response response, int status, String code) {
        assertThat(response.status()).as(response.head()).isEqualTo(status);
        assertThat(response.head()).containsIgnoringCase("Content-Type: application/json");
        assertThat(response.body()).contains("\"code\":\"" + code + "\"");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "GET,  /v2/../../etc/blobs/" + DIGEST,
        "GET,  /v2/%2e%2e/%2e%2e/etc/blobs/" + DIGEST,
        "GET,  /v2/a/%2E%2E/blobs/" + DIGEST,
        "POST, /v2/..%2f..%2fetc/blobs/uploads/",
        "POST, /v2/app%00/blobs/uploads/",
        "POST, /v2//etc/passwd/blobs/uploads/",
        "GET,  /v2/App/blobs/" + DIGEST,
        "GET,  /v2/a//b/blobs/" + DIGEST,
        "GET,  /v2/a/b./blobs/" + DIGEST,
        "GET,  /v2/-a/blobs/" + DIGEST,
        "POST, /v2/a%2Fb/blobs/uploads/",
        "GET,  /v2/a/./b/blobs/" + DIGEST,
    })
    void namesThatCouldEscapeTheRootAreNameInvalid(String method, String target) throws Exception {
        assertError(raw(method, target, "Content-Length: 0"), 400, "NAME_INVALID");
    }

    @Test
    void overlongNameIsNameInvalid() throws Exception {
        String name = String.join("/", java.util.Collections.nCopies(90, "abc"));
        assertError(raw("POST", "/v2/" + name + "/blobs/uploads/", "Content-Length: 0"), 400, "NAME_INVALID");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "sha256:..%2F..%2F..%2Fetc%2Fpasswd",
        "sha256:%2e%2e",
        "sha256:" + "AB",
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        "..",
        "sha256",
    })
    void digestsThatAreNotDigestsAreDigestInvalid(String digest) throws Exception {
        assertError(raw("GET", "/v2/app/blobs/" + digest), 400, "DIGEST_INVALID");
        assertError(raw("DELETE", "/v2/app/blobs/" + digest), 400, "DIGEST_INVALID");
        assertError(raw("POST", "/v2/app/blobs/uploads/?digest=" + digest, "Content-Length: 0"), 400, "DIGEST_INVALID");
        assertError(raw("POST", "/v2/app/blobs/uploads/?mount=" + digest + "&from=other", "Content-Length: 0"), 400, "DIGEST_INVALID");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "..%2F..%2F..%2Fetc",
        "%2e%2e",
        "not-a-uuid",
        "3F1C1A52-7C1E-4B0E-9D4F-2D7B1C9E8A10",
        UUID + "x",
    })
    void uploadIdsWeNeverIssuedAreBlobUploadUnknown(String id) throws Exception {
        assertError(raw("GET", "/v2/app/blobs/uploads/" + id), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(raw("PATCH", "/v2/app/blobs/uploads/" + id, "Content-Length: 3"), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(raw("PUT", "/v2/app/blobs/uploads/" + id + "?digest=" + DIGEST, "Content-Length: 0"), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(raw("DELETE", "/v2/app/blobs/uploads/" + id), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    /** Jetty's parser refuses these targets before routing; the router never sees which part was bad. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/v2/app/blobs/sha256:abc%00def",
        "/v2/app/blobs/uploads/" + UUID + "%00",
        "/v2/../../../../etc/passwd",
    })
    void pathsTheHttpParserCannotDecodeAreNameInvalid(String target) throws Exception {
        assertError(raw("GET", target), 400, "NAME_INVALID");
    }

    @Test
    void malformedQueryEncodingSpoilsTheParameter() throws Exception {
        assertError(raw("POST", "/v2/app/blobs/uploads/?digest=%zz", "Content-Length: 0"), 400, "DIGEST_INVALID");
        assertError(raw("POST", "/v2/app/blobs/uploads/?digest=%C3%28", "Content-Length: 0"), 400, "DIGEST_INVALID");
    }

    @Test
    void malformedRequestsGetAJsonErrorFromTheServerItself() throws Exception {
        for (String request : List.of(
                "GET /v2/ HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
                "GET /v2/\u0000 HTTP/1.1\r\nHost: x\r\n\r\n",
                "GARBAGE\r\n\r\n",
                "GET /v2/ HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")) {
            RawHttp.Response response = RawHttp.send(registry.port(), request.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(response.status()).as(request).isEqualTo(400);
            assertThat(response.body()).as(request).contains("\"errors\"").doesNotContain("Exception");
        }
    }

    @Test
    void hugeRefusedBodyIsNotReadAndTheConnectionCloses() throws Exception {
        RawHttp.Response response = RawHttp.request(registry.port(), "PATCH", "/v2/app/blobs/uploads/" + UUID,
                "Content-Length: 1000000000");
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.head()).containsIgnoringCase("Connection: close");
    }

    @Test
    void lastChunkShorterThanItsContentLengthStoresNothing() throws Exception {
        String location = registry.startUpload("app");
        String request = "PUT " + TestRegistry.withQuery(location, "digest=" + Digest.sha256(new byte[100]))
                + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + "x".repeat(10);
        RawHttp.Response response = RawHttp.send(registry.port(), request.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(response.status()).isLessThan(500);
        assertThat(registry.get(location).statusCode()).isEqualTo(404);
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
        }
    }

    @Test
    void bodyShorterThanItsContentLengthStoresNothing() throws Exception {
        Digest digest = Digest.sha256(new byte[100]);
        String request = "POST /v2/app/blobs/uploads/?digest=" + digest + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + "x".repeat(10);
        RawHttp.Response response = RawHttp.send(registry.port(), request.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(response.status()).isLessThan(500);
        assertThat(registry.head("/v2/app/blobs/" + digest).statusCode()).isEqualTo(404);
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
        }
    }
}
