package io.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.Distribution;
import io.berth.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several upstreams in one cache ({@code proxy.remotes}): a request reaches the remote its first path
 * component or its {@code ?ns=} names, each remote's content is stored apart, and Docker Hub's
 * {@code library/} rule holds for the remote named docker.io only.
 */
class ProxyRemotesTest {

    @TempDir
    static Path dir;
    static Distribution one;
    static Distribution two;
    static TestRegistry cache;
    static byte[] fromOne;
    static byte[] fromTwo;
    static byte[] official;

    @BeforeAll
    static void start() throws Exception {
        one = Distribution.start(dir.resolve("one"));
        two = Distribution.start(dir.resolve("two"));
        // The same repository and tag upstream in each, with different content.
        fromOne = one.pushImage("team/app", "1", "{\"from\":\"one\"}".getBytes(StandardCharsets.UTF_8), ProxyPullTest.random(100, 31));
        fromTwo = two.pushImage("team/app", "1", "{\"from\":\"two\"}".getBytes(StandardCharsets.UTF_8), ProxyPullTest.random(100, 32));
        official = two.pushImage("library/alpine", "3", "{\"from\":\"library\"}".getBytes(StandardCharsets.UTF_8),
                ProxyPullTest.random(100, 33));
        Path config = Files.writeString(dir.resolve("cache.yml"), """
                version: 0.1
                proxy:
                  remotes:
                    - name: one.example
                      remoteurl: %s
                    - name: docker.io
                      remoteurl: %s
                      ttl: 24h
                """.formatted(one.url(), two.url()));
        cache = TestRegistry.builder(dir.resolve("cache")).config(config).start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {cache, one, two}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void theFirstPathComponentPicksTheRemote() throws Exception {
        assertManifest("/v2/one.example/team/app/manifests/1", fromOne);
        assertManifest("/v2/docker.io/team/app/manifests/1", fromTwo);
    }

    @Test
    void containerdsNsParameterPicksTheRemoteByNameOrHost() throws Exception {
        assertManifest("/v2/team/app/manifests/1?ns=one.example", fromOne);
        assertManifest("/v2/team/app/manifests/1?ns=docker.io", fromTwo);
        assertManifest("/v2/team/app/manifests/1?ns=127.0.0.1:" + one.port(), fromOne);
        HttpResponse<byte[]> blob = cache.get("/v2/team/app/blobs/" + Digest.sha256("{\"from\":\"two\"}".getBytes(StandardCharsets.UTF_8))
                + "?ns=docker.io");
        assertThat(blob.statusCode()).isEqualTo(200);
        assertThat(new String(blob.body(), StandardCharsets.UTF_8)).isEqualTo("{\"from\":\"two\"}");
    }

    @Test
    void eachRemotesContentIsStoredApart() throws Exception {
        assertManifest("/v2/one.example/team/app/manifests/1", fromOne);
        assertManifest("/v2/docker.io/team/app/manifests/1", fromTwo);
        Path repositories = dir.resolve("cache/docker/registry/v2/repositories");
        String one = "one.example/team/app/_manifests/revisions/sha256/" + Digest.sha256(fromOne).hex();
        String two = "docker.io/team/app/_manifests/revisions/sha256/" + Digest.sha256(fromTwo).hex();
        assertThat(repositories.resolve(one)).exists();
        assertThat(repositories.resolve(two)).exists();
        assertThat(repositories.resolve("one.example/team/app/_manifests/revisions/sha256/" + Digest.sha256(fromTwo).hex())).doesNotExist();
    }

    @Test
    void dockerHubsLibraryRuleHoldsForTheDockerIoRemoteOnly() throws Exception {
        assertManifest("/v2/docker.io/alpine/manifests/3", official);
        assertManifest("/v2/alpine/manifests/3?ns=docker.io", official);
        HttpResponse<byte[]> elsewhere = cache.get("/v2/one.example/alpine/manifests/3");
        assertThat(elsewhere.statusCode()).isEqualTo(404);
        assertThat(TestRegistry.errorCode(elsewhere)).isEqualTo("MANIFEST_UNKNOWN");
    }

    @Test
    void aNameOrNsNoRemoteServesIsNameUnknown() throws Exception {
        for (String path : new String[] {"/v2/quay.io/team/app/manifests/1", "/v2/team/app/manifests/1?ns=quay.io"}) {
            HttpResponse<byte[]> response = cache.get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(TestRegistry.errorCode(response)).as(path).isEqualTo("NAME_UNKNOWN");
        }
    }

    private static void assertManifest(String path, byte[] expected) throws Exception {
        HttpResponse<byte[]> response = cache.get(path);
        assertThat(response.statusCode()).as(path + ": " + new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(response.body()).as(path).isEqualTo(expected);
    }
}
