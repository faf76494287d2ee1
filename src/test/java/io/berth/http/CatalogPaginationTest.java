package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.Images;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class CatalogPaginationTest extends RegistryTestBase {

    static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> repositories(HttpResponse<byte[]> response) throws Exception {
        List<String> names = new ArrayList<>();
        JSON.readTree(response.body()).path("repositories").forEach(r -> names.add(r.asText()));
        return names;
    }

    private void pushRepositories(List<String> names) throws Exception {
        Images images = new Images(registry);
        for (String name : names) {
            Map<String, Object> manifest = images.image(name, "catalog", 1);
            images.push(name, "latest", manifest);
        }
    }

    @Test
    void emptyRegistryHasAnEmptyCatalog() throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/_catalog");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new String(response.body())).isEqualTo("{\"repositories\":[]}");
    }

    @Test
    void repositoriesWithManifestsAreListedInLexicalOrder() throws Exception {
        pushRepositories(List.of("b", "a/z", "a", "a-b", "a/b/c", "c.d"));
        registry.push("only/blobs", "x".getBytes());
        assertThat(repositories(registry.get("/v2/_catalog"))).containsExactly("a", "a-b", "a/b/c", "a/z", "b", "c.d");
    }

    @Test
    void pagesFollowTheLinkUntilTheEnd() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            names.add("repo" + i);
        }
        pushRepositories(names);
        List<String> seen = new ArrayList<>();
        String next = "/v2/_catalog?n=3";
        while (next != null) {
            HttpResponse<byte[]> response = registry.get(next);
            seen.addAll(repositories(response));
            next = response.headers().firstValue("Link").map(l -> l.substring(l.indexOf('<') + 1, l.indexOf('>'))).orElse(null);
        }
        assertThat(seen).containsExactlyElementsOf(names);
        assertThat(repositories(registry.get("/v2/_catalog?n=2&last=repo4"))).containsExactly("repo5", "repo6");
        assertThat(registry.get("/v2/_catalog?n=7").headers().firstValue("Link")).isEmpty();
    }

    @Test
    void invalidPageSizeIsPaginationNumberInvalid() throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/_catalog?n=-4");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("PAGINATION_NUMBER_INVALID");
    }

    /** Builds the Distribution root as empty folders on disk, which S3 cannot hold. */
    @Test
    @Tag(FILESYSTEM_ONLY)
    void repositoriesWrittenByDistributionAreFoundOnce() throws Exception {
        // A storage root that Distribution filled: repositories with _manifests folders and no Berth index.
        for (String name : List.of("legacy/one", "legacy/two", "x")) {
            Files.createDirectories(root.resolve("docker/registry/v2/repositories/" + name + "/_manifests/tags"));
        }
        Files.createDirectories(root.resolve("docker/registry/v2/repositories/legacy/_layers"));
        assertThat(repositories(registry.get("/v2/_catalog"))).containsExactly("legacy/one", "legacy/two", "x");
        pushRepositories(List.of("new"));
        assertThat(repositories(registry.get("/v2/_catalog"))).containsExactly("legacy/one", "legacy/two", "new", "x");
    }
}
