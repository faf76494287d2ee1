package io.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.testing.RawHttp;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestIdTest extends RegistryTestBase {

    private static final String GENERATED = "[0-9a-f]{16}";

    private static String id(HttpResponse<byte[]> response) {
        return response.headers().firstValue("X-Request-Id").orElseThrow(() -> new AssertionError("no X-Request-Id"));
    }

    private static String id(RawHttp.Response response) {
        for (String line : response.head().split("\r\n")) {
            if (line.regionMatches(true, 0, "X-Request-Id:", 0, 13)) {
                return line.substring(13).strip();
            }
        }
        throw new AssertionError("no X-Request-Id in " + response.head());
    }

    @Test
    void aRequestWithoutAnIdGetsAFreshOneBack() throws Exception {
        String first = id(registry.get("/v2/"));
        String second = id(registry.get("/v2/"));
        assertThat(first).matches(GENERATED);
        assertThat(second).matches(GENERATED).isNotEqualTo(first);
    }

    @Test
    void aSaneIdFromTheClientIsReturnedAsIs() throws Exception {
        assertThat(id(registry.get("/v2/", "X-Request-Id", "3f2a-proxy:hop/1"))).isEqualTo("3f2a-proxy:hop/1");
        String uuid = "0b9f6c4e-3f57-4d8a-9a65-2f1c0e2b7d11";
        assertThat(id(registry.get("/v2/", "X-Request-Id", uuid))).isEqualTo(uuid);
    }

    @Test
    void anIdWithSpacesOrTooLongIsReplaced() throws Exception {
        assertThat(id(registry.get("/v2/", "X-Request-Id", "has space"))).matches(GENERATED);
        assertThat(id(registry.get("/v2/", "X-Request-Id", "a".repeat(129)))).matches(GENERATED);
        assertThat(id(registry.get("/v2/", "X-Request-Id", "a".repeat(128)))).isEqualTo("a".repeat(128));
    }

    @Test
    void anIdWithBytesBeyondAsciiIsReplaced() throws Exception {
        byte[] request = "GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Request-Id: caf\u00e9\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        RawHttp.Response response = RawHttp.send(registry.port(), request);
        assertThat(response.status()).isEqualTo(200);
        assertThat(id(response)).matches(GENERATED);
    }

    @Test
    void errorResponsesCarryTheIdToo() throws Exception {
        HttpResponse<byte[]> missing = registry.get("/v2/app/blobs/sha256:" + "0".repeat(64), "X-Request-Id", "missing-blob");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(id(missing)).isEqualTo("missing-blob");

        HttpResponse<byte[]> badName = registry.get("/v2/Upper/Case/tags/list", "X-Request-Id", "bad-name");
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(id(badName)).isEqualTo("bad-name");

        HttpResponse<byte[]> notAllowed = registry.send("POST", "/v2/_catalog", null, "X-Request-Id", "post-catalog");
        assertThat(notAllowed.statusCode()).isEqualTo(405);
        assertThat(id(notAllowed)).isEqualTo("post-catalog");
    }

    @Test
    void aRequestJettyRefusesBeforeRoutingStillGetsAnId() throws Exception {
        RawHttp.Response response = RawHttp.send(registry.port(),
                "GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nNot a header line\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(response.status()).isEqualTo(400);
        assertThat(id(response)).matches(GENERATED);
    }
}
