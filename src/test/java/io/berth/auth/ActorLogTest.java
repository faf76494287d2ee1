package io.berth.auth;

import static io.berth.auth.SignIns.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.observe.AccessLog;
import io.berth.testing.ServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code actor} of access-log lines, read from what a real {@code berth serve} with htpasswd and rules prints. */
class ActorLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger IDS = new AtomicInteger();

    @TempDir
    static Path dir;
    static ServerProcess server;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        Path users = SignIns.htpasswdFile(dir.resolve("htpasswd"), "alice", "alice-pw", "bob", "bob-pw");
        Path config = Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                log:
                  formatter: json
                auth:
                  htpasswd:
                    realm: actors
                    path: %s
                  access:
                    - repositories: ["public/**"]
                      users: [anonymous, "*"]
                      actions: [pull]
                    - repositories: ["team-a/**"]
                      users: [alice]
                      actions: [pull, push]
                """.formatted(users));
        server = ServerProcess.builder(dir.resolve("root")).arguments(config.toString()).start();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    /** Sends a request with a fresh request id, checks its status, and returns its access line once the server wrote it. */
    private static JsonNode accessLine(String method, String path, String authorization, int status) throws Exception {
        String id = "actor-test-" + IDS.incrementAndGet();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).header("X-Request-Id", id);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        assertThat(client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(status);
        // The line is written by a background thread just after the response: wait for it, bounded.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            Optional<JsonNode> line = find(id);
            if (line.isPresent() || System.nanoTime() > deadline) {
                return line.orElseThrow(() -> new AssertionError("no access line for " + id + " in " + server.output()));
            }
            Thread.sleep(10);
        }
    }

    private static Optional<JsonNode> find(String id) throws Exception {
        for (String line : server.output()) {
            if (line.startsWith("{") && line.contains(id)) {
                JsonNode json = JSON.readTree(line);
                if (json.path("logger").asText().equals(AccessLog.LOGGER) && json.path("request_id").asText().equals(id)) {
                    return Optional.of(json);
                }
            }
        }
        return Optional.empty();
    }

    @Test
    void aSignedInRequestCarriesItsUserAsTheActor() throws Exception {
        assertThat(accessLine("GET", "/v2/", basic("alice", "alice-pw"), 200).path("actor").asText()).isEqualTo("alice");
        assertThat(accessLine("GET", "/v2/team-a/app/tags/list", basic("alice", "alice-pw"), 404).path("actor").asText())
                .isEqualTo("alice");
    }

    @Test
    void aRequestWithoutCredentialsIsAnonymous() throws Exception {
        assertThat(accessLine("GET", "/v2/public/app/tags/list", null, 404).path("actor").asText()).isEqualTo("anonymous");
        assertThat(accessLine("GET", "/v2/public/app/tags/list", basic("", ""), 404).path("actor").asText()).isEqualTo("anonymous");
        assertThat(accessLine("GET", "/v2/", null, 401).path("actor").asText()).isEqualTo("anonymous");
    }

    @Test
    void aDeniedUserIsTheActorButAFailedSignInNamesNoOne() throws Exception {
        assertThat(accessLine("POST", "/v2/team-a/app/blobs/uploads/", basic("bob", "bob-pw"), 403).path("actor").asText())
                .isEqualTo("bob");
        JsonNode failed = accessLine("GET", "/v2/", basic("alice", "a-guess"), 401);
        assertThat(failed.path("actor").asText()).as("a name that did not sign in is not the actor").isEqualTo("anonymous");
        assertThat(failed.path("status").asInt()).isEqualTo(401);
    }
}
