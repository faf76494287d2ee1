package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without {@code http.secret}, upload links are signed with a key Berth keeps in storage, so they
 * survive restarts and work on every replica; and a bad token gets a message that says what is wrong.
 */
class UploadSecretTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY_FILE = "docker/registry/v2/_berth/httpsecret/key";

    @TempDir
    Path root;

    private TestRegistry.Builder withoutSecret(Path storage) {
        return TestRegistry.builder(storage).env("REGISTRY_HTTP_SECRET", "");
    }

    private static String message(HttpResponse<byte[]> response) throws Exception {
        return JSON.readTree(response.body()).path("errors").path(0).path("message").asText();
    }

    private static String path(String location) {
        return location.substring(0, location.indexOf('?'));
    }

    private static String state(String location) {
        return location.substring(location.indexOf("_state=") + "_state=".length());
    }

    @Test
    void anUploadLinkHandedOutBeforeARestartIsAcceptedAfterItWithoutAConfiguredSecret() throws Exception {
        try (TestRegistry registry = withoutSecret(root).start()) {
            String location = registry.startUpload("app");
            assertThat(registry.send("PATCH", location, "first".getBytes()).statusCode()).isEqualTo(202);
            String key = Files.readString(root.resolve(KEY_FILE));

            registry.restart();

            HttpResponse<byte[]> status = registry.get(location);
            assertThat(status.statusCode()).isEqualTo(204);
            assertThat(status.headers().firstValue("Range")).hasValue("0-4");
            assertThat(key).matches("[0-9a-f]{64}");
            assertThat(Files.readString(root.resolve(KEY_FILE))).as("the key is made once").isEqualTo(key);
        }
    }

    @Test
    void twoBerthsStartedAtOnceOverOneRootAgreeOnTheKey() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<TestRegistry>> starting = List.of(1, 2).stream().map(i -> CompletableFuture.supplyAsync(() -> {
            try {
                go.await();
                return withoutSecret(root).start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })).toList();
        go.countDown();
        try (TestRegistry first = starting.get(0).join(); TestRegistry second = starting.get(1).join()) {
            String fromFirst = first.startUpload("app");
            String fromSecond = second.startUpload("app");

            assertThat(second.get(fromFirst).statusCode()).isEqualTo(204);
            assertThat(first.get(fromSecond).statusCode()).isEqualTo(204);
        }
    }

    @Test
    void aConfiguredSecretLeavesNoKeyInStorage() throws Exception {
        try (TestRegistry registry = TestRegistry.start(root)) {
            assertThat(registry.get(registry.startUpload("app")).statusCode()).isEqualTo(204);
            assertThat(root.resolve(KEY_FILE)).doesNotExist();
        }
    }

    @Test
    void aTamperedTokenIsSaidToBeTamperedWithAndAMalformedOneMalformed() throws Exception {
        try (TestRegistry registry = withoutSecret(root).start()) {
            String location = registry.startUpload("app");
            byte[] token = Base64.getUrlDecoder().decode(state(location));
            token[token.length - 3] ^= 1;
            String tampered = Base64.getUrlEncoder().withoutPadding().encodeToString(token);

            HttpResponse<byte[]> signatureFails = registry.get(path(location) + "?_state=" + tampered);
            HttpResponse<byte[]> notBase64 = registry.get(path(location) + "?_state=not-base64!");
            HttpResponse<byte[]> tooShort = registry.get(path(location) + "?_state=AAAA");

            for (HttpResponse<byte[]> response : List.of(signatureFails, notBase64, tooShort)) {
                assertThat(response.statusCode()).isEqualTo(400);
                assertThat(errorCode(response)).isEqualTo("BLOB_UPLOAD_INVALID");
            }
            assertThat(message(signatureFails)).contains("tampered");
            assertThat(message(notBase64)).contains("malformed", "base64").doesNotContain("tampered");
            assertThat(message(tooShort)).contains("malformed", "too short").doesNotContain("tampered");
            assertThat(registry.get(location).statusCode()).as("the upload is untouched").isEqualTo(204);
        }
    }
}
