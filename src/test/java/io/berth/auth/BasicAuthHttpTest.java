package io.berth.auth;

import static io.berth.auth.SignIns.assertChallenged;
import static io.berth.auth.SignIns.assertNoTrace;
import static io.berth.auth.SignIns.basic;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.config.ConfigException;
import io.berth.testing.MutableClock;
import io.berth.testing.RawHttp;
import io.berth.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code auth.htpasswd} through real HTTP: the Basic challenge, good and bad credentials, garbage in
 * {@code Authorization}, the file re-read while the server runs, and a missing file at start. Every
 * user fails at most three times here, so the sign-in throttle never slows these tests down.
 */
class BasicAuthHttpTest {

    private static final String REALM = "berth-test-realm";
    private static final String CHALLENGE = "Basic realm=\"" + REALM + "\"";

    @TempDir
    static Path dir;
    static Path users;
    static final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    static TestRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        users = SignIns.htpasswdFile(dir.resolve("htpasswd"), "alice", "alice-pw", "dave", "dave-pw", "frank", "frank-old");
        registry = TestRegistry.builder(dir.resolve("root")).clock(clock).config(config(users)).start();
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    static Path config(Path htpasswd) throws Exception {
        return Files.writeString(dir.resolve("config-" + htpasswd.getFileName() + ".yml"), """
                version: 0.1
                auth:
                  htpasswd:
                    realm: %s
                    path: %s
                """.formatted(REALM, htpasswd));
    }

    @Test
    void theBaseWithoutCredentialsIsA401WithTheBasicChallengeOfTheRealm() throws Exception {
        assertChallenged(registry.get("/v2/"), CHALLENGE);
        HttpResponse<byte[]> head = registry.head("/v2/");
        assertThat(head.statusCode()).isEqualTo(401);
        assertThat(head.headers().allValues("WWW-Authenticate")).containsExactly(CHALLENGE);
    }

    @Test
    void theRightCredentialsOpenTheBaseAndTheRegistry() throws Exception {
        HttpResponse<byte[]> base = registry.get("/v2/", "Authorization", basic("alice", "alice-pw"));
        assertThat(base.statusCode()).isEqualTo(200);
        assertThat(new String(base.body(), UTF_8)).isEqualTo("{}");
        assertThat(registry.get("/v2/", "Authorization", "basic " + basic("alice", "alice-pw").substring(6)).statusCode())
                .as("the scheme is case-insensitive").isEqualTo(200);
        HttpResponse<byte[]> tags = registry.get("/v2/some/app/tags/list", "Authorization", basic("alice", "alice-pw"));
        SignIns.assertError(tags, 404, "NAME_UNKNOWN");
    }

    @Test
    void aWrongPasswordAndAnUnknownUserAreA401WithTheChallenge() throws Exception {
        assertChallenged(registry.get("/v2/", "Authorization", basic("dave", "not-daves")), CHALLENGE);
        assertChallenged(registry.get("/v2/", "Authorization", basic("mallory", "whatever")), CHALLENGE);
        assertChallenged(registry.get("/v2/any/app/manifests/latest", "Authorization", basic("dave", "")), CHALLENGE);
        assertThat(registry.get("/v2/", "Authorization", basic("dave", "dave-pw")).statusCode()).isEqualTo(200);
    }

    @Test
    void emptyCredentialsAreAnonymousAndAnonymousIsChallenged() throws Exception {
        assertChallenged(registry.get("/v2/", "Authorization", basic("", "")), CHALLENGE);
        assertChallenged(registry.get("/v2/any/app/tags/list", "Authorization", basic("", "")), CHALLENGE);
        assertChallenged(registry.send("POST", "/v2/any/app/blobs/uploads/", null, "Authorization", basic("", "")), CHALLENGE);
    }

    @Test
    void garbageInAuthorizationIsA401NeverAServerError() throws Exception {
        List<String> garbage = List.of(
                "Basic",
                "Basic ",
                "Basic !!!not base64!!!",
                "Basic " + "YWxpY2U",                               // base64 cut short
                basic("alice-without-colon".getBytes(UTF_8)),
                basic(new byte[] {(byte) 0xff, (byte) 0xfe, ':', (byte) 0xc3, 'x'}), // not UTF-8
                basic("ali\u0001ce:alice-pw".getBytes(UTF_8)),      // a control character in the user
                basic("alice:alice-pw\u0000".getBytes(UTF_8)),      // and in the password
                "Basic " + "QUFB".repeat(2000),                      // 8 KB
                "Bearer x",
                "Bearer " + basic("alice", "alice-pw").substring(6),
                "Digest username=\"alice\", realm=\"" + REALM + "\"",
                "Negotiate YII=",
                "alice:alice-pw",
                "Basic" + basic("alice", "alice-pw").substring(6)); // no space after the scheme
        for (String value : garbage) {
            assertChallenged(registry.get("/v2/", "Authorization", value), CHALLENGE);
        }
    }

    @Test
    void authorizationBytesNoHttpClientWouldSendAreRefusedWithoutAServerError() throws Exception {
        RawHttp.Response latin1 = raw("Basic \u00e9\u00ff\u00a0YWxpY2U6YWxpY2UtcHc=");
        assertThat(latin1.status()).as(latin1.head()).isEqualTo(401);
        assertThat(latin1.head()).contains("WWW-Authenticate: " + CHALLENGE);
        assertThat(latin1.body()).contains("\"UNAUTHORIZED\"");

        // Jetty refuses these before Berth sees them, still in the envelope.
        RawHttp.Response control = raw("Basic YWxp\u0001Y2U6YWxpY2UtcHc=");
        assertThat(control.status()).as(control.head()).isEqualTo(400);
        assertThat(control.body()).contains("\"BAD_REQUEST\"");
        RawHttp.Response huge = raw("Basic " + "QUFB".repeat(10_000));
        assertThat(huge.status()).as(huge.head()).isEqualTo(431);
        assertThat(huge.body()).contains("\"BAD_REQUEST\"");
        for (RawHttp.Response response : List.of(latin1, control, huge)) {
            assertNoTrace(response.body());
        }
    }

    /** A GET of the base with this {@code Authorization} value, sent as ISO-8859-1 bytes. */
    private static RawHttp.Response raw(String authorization) throws Exception {
        return RawHttp.send(registry.port(), ("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: "
                + authorization + "\r\n\r\n").getBytes(ISO_8859_1));
    }

    @Test
    void theFileIsReadAgainWhenItChangesWithoutARestart() throws Exception {
        assertChallenged(registry.get("/v2/", "Authorization", basic("erin", "erin-pw")), CHALLENGE);
        assertThat(registry.get("/v2/", "Authorization", basic("frank", "frank-old")).statusCode()).isEqualTo(200);

        SignIns.setPassword(users, "erin", "erin-pw");
        SignIns.setPassword(users, "frank", "frank-new");
        // The server looks at the file at most once a second of its clock.
        clock.advance(Duration.ofSeconds(2));

        assertThat(registry.get("/v2/", "Authorization", basic("erin", "erin-pw")).statusCode()).as("a user added").isEqualTo(200);
        assertChallenged(registry.get("/v2/", "Authorization", basic("frank", "frank-old")), CHALLENGE);
        assertThat(registry.get("/v2/", "Authorization", basic("frank", "frank-new")).statusCode()).as("a new password").isEqualTo(200);
        assertThat(registry.get("/v2/", "Authorization", basic("alice", "alice-pw")).statusCode()).as("the others kept").isEqualTo(200);
    }

    @Test
    void aMissingHtpasswdFileFailsTheStartNamingTheKey() throws Exception {
        Path missing = dir.resolve("absent");
        assertThatThrownBy(() -> TestRegistry.builder(dir.resolve("root-missing")).config(config(missing)).start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.htpasswd.path")
                .hasMessageContaining(missing.toString());
    }
}
