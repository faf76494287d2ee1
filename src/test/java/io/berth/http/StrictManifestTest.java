package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * JSON that Go clients would read otherwise than Berth does, or that is too large a structure to
 * read, is refused as MANIFEST_INVALID with a message that says why, and nothing is stored.
 */
class StrictManifestTest extends RegistryTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();

    Images images;
    String config;

    @BeforeEach
    void prepare() throws Exception {
        images = new Images(registry);
        byte[] content = "{}".getBytes();
        config = BadManifestTest.CONFIG.formatted(registry.push("app", content), content.length);
    }

    @AfterEach
    void nothingWasStored() throws Exception {
        assertThat(stored.under("docker/registry/v2/repositories/app/_manifests")).isEmpty();
    }

    /** A valid image manifest, with {@code extra} (e.g. {@code ,"k":"v"}) added at its top level. */
    private String manifest(String extra) {
        return "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":" + config + ",\"layers\":[]" + extra + "}";
    }

    private void assertRefused(byte[] body, String why) throws Exception {
        HttpResponse<byte[]> response = images.put("app", "v1", body, MediaTypes.OCI_MANIFEST);
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("MANIFEST_INVALID");
        assertThat(JSON.readTree(response.body()).path("errors").path(0).path("message").asText()).contains(why)
                .doesNotContainIgnoringCase("exception").doesNotContainIgnoringCase("jackson").doesNotContain("StreamReadConstraints");
        assertThat(registry.get("/v2/app/manifests/v1").statusCode()).isEqualTo(404);
        assertThat(registry.get("/v2/app/manifests/" + Digest.sha256(body)).statusCode()).isEqualTo(404);
    }

    private void assertRefused(String body, String why) throws Exception {
        assertRefused(body.getBytes(StandardCharsets.UTF_8), why);
    }

    @Test
    void repeatedTopLevelKeyIsRefusedSoTheTypeServedIsTheTypeValidated() throws Exception {
        String body = "{\"schemaVersion\":2,\"mediaType\":\"text/html\",\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"config\":" + config + ",\"layers\":[]}";
        assertRefused(body, "repeats the key \"mediaType\"");
    }

    @Test
    void repeatedNestedKeyIsRefused() throws Exception {
        Digest other = Digest.sha256("other".getBytes());
        String twoDigests = config.substring(0, config.length() - 1) + ",\"digest\":\"" + other + "\"}";
        assertRefused(manifest("").replace(config, twoDigests), "repeats the key \"digest\"");
        assertRefused(manifest(",\"annotations\":{\"a\":\"1\",\"b\":\"2\",\"a\":\"3\"}"), "repeats the key \"a\"");
        assertRefused(manifest(",\"x-extension\":{\"deep\":[{\"k\":1,\"k\":2}]}"), "repeats the key \"k\"");
        StringBuilder many = new StringBuilder(",\"annotations\":{");
        for (int i = 0; i < 40; i++) {
            many.append("\"key").append(i).append("\":\"v\",");
        }
        assertRefused(manifest(many.append("\"key7\":\"again\"}").toString()), "repeats the key \"key7\"");
        assertRefused(manifest(",\"x-extension\":{" + many.toString().substring(",\"annotations\":{".length())), "repeats the key \"key7\"");
        assertRefused(manifest(",\"x-extension\":1,\"x-extension\":2"), "repeats the key \"x-extension\"");
    }

    @Test
    void keyDifferingFromAKnownOneOnlyInCaseIsRefused() throws Exception {
        assertRefused(manifest(",\"MediaType\":\"" + MediaTypes.OCI_INDEX + "\""), "only in case");
    }

    @Test
    void dataAfterTheObjectIsRefusedButTrailingWhitespaceIsNot() throws Exception {
        assertRefused(manifest("") + "{}", "data after its JSON object");
        assertRefused(manifest("") + " x", "data after its JSON object");
        byte[] padded = (manifest("") + " \n\t\r\n").getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> response = images.put("app", "v1", padded, MediaTypes.OCI_MANIFEST);
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/app/manifests/v1").body()).isEqualTo(padded);
        assertThat(registry.send("DELETE", "/v2/app/manifests/" + Digest.sha256(padded), null).statusCode()).isEqualTo(202);
    }

    @Test
    void byteOrderMarkIsRefused() throws Exception {
        assertRefused(concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, manifest("").getBytes(StandardCharsets.UTF_8)),
                "byte-order mark");
    }

    @Test
    void invalidUtf8IsRefused() throws Exception {
        for (byte[] bad : new byte[][] {
            {(byte) 0xC3, 0x28},                     // a lead byte without its continuation
            {(byte) 0xC0, (byte) 0xAF},              // an overlong '/'
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // past U+10FFFF
            {(byte) 0xFF},
        }) {
            String valid = manifest("");
            byte[] head = (valid.substring(0, valid.length() - 1) + ",\"annotations\":{\"a\":\"").getBytes(StandardCharsets.UTF_8);
            assertRefused(concat(head, bad, "\"}}".getBytes(StandardCharsets.UTF_8)), "not valid UTF-8");
        }
    }

    @Test
    void utf16AndUtf32AreRefused() throws Exception {
        String body = manifest("");
        assertRefused(body.getBytes(StandardCharsets.UTF_16LE), "UTF-16 or UTF-32");
        assertRefused(body.getBytes(StandardCharsets.UTF_16BE), "UTF-16 or UTF-32");
        assertRefused(body.getBytes(StandardCharsets.UTF_16), "UTF-16 or UTF-32"); // with its byte-order mark
        assertRefused(body.getBytes("UTF-32LE"), "UTF-16 or UTF-32");
    }

    @Test
    void fractionalSizeIsRefused() throws Exception {
        assertRefused(manifest("").replace("\"size\":2", "\"size\":2.0"), "size must be an integer, not 2.0");
    }

    @Test
    void exponentSizeIsRefused() throws Exception {
        assertRefused(manifest("").replace("\"size\":2", "\"size\":2e0"), "size must be an integer, not 2e0");
    }

    @Test
    void fractionalOrExponentSchemaVersionIsRefused() throws Exception {
        assertRefused(manifest("").replace("\"schemaVersion\":2", "\"schemaVersion\":2.0"), "schemaVersion must be an integer, not 2.0");
        assertRefused(manifest("").replace("\"schemaVersion\":2", "\"schemaVersion\":0.2e1"), "schemaVersion must be an integer");
    }

    @Test
    void sizeBeyondASixtyFourBitIntegerIsRefused() throws Exception {
        assertRefused(manifest("").replace("\"size\":2", "\"size\":9223372036854775808"), "out of range");
    }

    @Test
    void overlongNumberOrKeyIsRefusedWithAMessageNamingNoJavaClass() throws Exception {
        assertRefused(manifest("").replace("\"size\":2", "\"size\":" + "9".repeat(2_000)), "longer than this registry reads");
        assertRefused(manifest(",\"" + "k".repeat(60_000) + "\":1"), "longer than this registry reads");
    }

    @Test
    void fourMebibytesOfEmptyObjectsAreRefusedWithoutBeingBuilt() throws Exception {
        int limit = ManifestHandler.MAX_MANIFEST_BYTES;
        StringBuilder body = new StringBuilder(limit).append("{\"a\":[{}");
        while (body.length() + 3 + 2 <= limit) {
            body.append(",{}");
        }
        body.append("]}");
        assertThat(body.length()).isLessThanOrEqualTo(limit).isGreaterThan(limit - 5);
        assertRefused(body.toString(), "more than");
    }

    @Test
    void deepNestingIsRefused() throws Exception {
        assertRefused(manifest(",\"x\":" + "[".repeat(100) + "]".repeat(100)), "deeper than");
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
