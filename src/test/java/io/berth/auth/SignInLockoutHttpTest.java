package io.berth.auth;

import static io.berth.auth.SignIns.assertChallenged;
import static io.berth.auth.SignIns.assertError;
import static io.berth.auth.SignIns.basic;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.testing.MutableClock;
import io.berth.testing.TestRegistry;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Brute force through real HTTP: ten failed sign-ins of one user from one address lock that pair
 * (429 with Retry-After) until the server's clock passes the lock, while the same user from
 * another address and other users sign in as usual; the token endpoint applies the same throttle.
 * The throttle's delays before answering the 4th to 9th failure are real (about 12 s per series of
 * ten), so the two series, one per server, run side by side while the class starts; nothing is timed.
 */
class SignInLockoutHttpTest {

    private static final String TOKEN_QUERY = "/auth/token?service=berth&scope=repository:team/app:pull";

    @TempDir
    static Path dir;
    static final MutableClock basicClock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    static final MutableClock tokenClock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    static TestRegistry basic;
    static TestRegistry tokens;
    /** A client whose connections come from 127.0.0.2: another address, as far as the server can tell. */
    static HttpClient elsewhere;
    static List<HttpResponse<byte[]>> basicFailures;
    static List<HttpResponse<byte[]>> tokenFailures;

    @BeforeAll
    static void startAndFailTenTimes() throws Exception {
        Path users = SignIns.htpasswdFile(dir.resolve("htpasswd"), "alice", "alice-pw", "bob", "bob-pw");
        basic = TestRegistry.builder(dir.resolve("basic")).clock(basicClock).config(config("""
                auth:
                  htpasswd:
                    realm: lockout
                    path: %s
                """.formatted(users))).start();
        tokens = TestRegistry.builder(dir.resolve("tokens")).clock(tokenClock).config(config("""
                auth:
                  htpasswd:
                    realm: lockout
                    path: %s
                  tokenserver:
                    enabled: true
                """.formatted(users))).start();
        elsewhere = HttpClient.newBuilder().localAddress(InetAddress.getByName("127.0.0.2")).build();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<List<HttpResponse<byte[]>>> onTokens = CompletableFuture.supplyAsync(
                    () -> tenFailures(tokens, TOKEN_QUERY), threads);
            basicFailures = tenFailures(basic, "/v2/");
            tokenFailures = onTokens.join();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        elsewhere.close();
        basic.close();
        tokens.close();
    }

    private static Path config(String auth) throws Exception {
        return Files.writeString(Files.createTempFile(dir, "config", ".yml"), "version: 0.1\n" + auth);
    }

    /** Ten GETs of {@code path} as alice with a wrong password, from 127.0.0.1. */
    private static List<HttpResponse<byte[]>> tenFailures(TestRegistry registry, String path) {
        List<HttpResponse<byte[]>> responses = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                responses.add(registry.get(path, "Authorization", basic("alice", "guess-" + i)));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return responses;
    }

    private static HttpResponse<byte[]> fromElsewhere(TestRegistry registry, String path, String authorization) throws Exception {
        return elsewhere.send(HttpRequest.newBuilder(registry.uri(path)).header("Authorization", authorization).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void assertLocked(HttpResponse<byte[]> response, long retryAfter) throws Exception {
        assertError(response, 429, "TOOMANYREQUESTS");
        assertThat(response.headers().allValues("Retry-After")).containsExactly(String.valueOf(retryAfter));
    }

    @Test
    void theTenthFailedSignInLocksOnlyThatUserAtThatAddressUntilTheClockPassesTheLock() throws Exception {
        for (HttpResponse<byte[]> failure : basicFailures.subList(0, 9)) {
            assertChallenged(failure, "Basic realm=\"lockout\"");
        }
        assertLocked(basicFailures.get(9), 60);
        assertLocked(basic.get("/v2/", "Authorization", basic("alice", "alice-pw")), 60);

        assertThat(fromElsewhere(basic, "/v2/", basic("alice", "alice-pw")).statusCode()).as("alice from 127.0.0.2").isEqualTo(200);
        assertThat(basic.get("/v2/", "Authorization", basic("bob", "bob-pw")).statusCode()).as("bob from 127.0.0.1").isEqualTo(200);
        assertChallenged(basic.get("/v2/", "Authorization", basic("bob", "not-bobs")), "Basic realm=\"lockout\"");

        basicClock.advance(Duration.ofSeconds(45));
        assertLocked(basic.get("/v2/", "Authorization", basic("alice", "alice-pw")), 15);
        assertLocked(basic.get("/v2/", "Authorization", basic("alice", "another-guess")), 15);
        basicClock.advance(Duration.ofSeconds(15));
        assertThat(basic.get("/v2/", "Authorization", basic("alice", "alice-pw")).statusCode()).isEqualTo(200);
    }

    @Test
    void theTokenEndpointLocksTheSameWay() throws Exception {
        for (HttpResponse<byte[]> failure : tokenFailures.subList(0, 9)) {
            assertChallenged(failure, "Basic realm=\"lockout\"");
        }
        assertLocked(tokenFailures.get(9), 60);
        assertLocked(tokens.get(TOKEN_QUERY, "Authorization", basic("alice", "alice-pw")), 60);

        HttpResponse<byte[]> elsewhereToken = fromElsewhere(tokens, TOKEN_QUERY, basic("alice", "alice-pw"));
        assertThat(elsewhereToken.statusCode()).isEqualTo(200);
        assertThat(new String(elsewhereToken.body())).contains("\"token\"");
        assertThat(tokens.get(TOKEN_QUERY, "Authorization", basic("bob", "bob-pw")).statusCode()).isEqualTo(200);

        tokenClock.advance(Duration.ofSeconds(61));
        assertThat(tokens.get(TOKEN_QUERY, "Authorization", basic("alice", "alice-pw")).statusCode()).isEqualTo(200);
    }
}
