package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.Images;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TagsPaginationTest extends RegistryTestBase {

    static final List<String> TAGS = List.of("1.0", "1.10", "1.2", "A", "_x", "a", "latest", "v1");
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void pushTags() throws Exception {
        Images images = new Images(registry);
        Map<String, Object> manifest = images.image("team/app", "tags", 1);
        for (String tag : List.of("v1", "latest", "a", "A", "_x", "1.2", "1.10", "1.0")) {
            images.push("team/app", tag, manifest);
        }
    }

    private static List<String> tags(HttpResponse<byte[]> response) throws Exception {
        JsonNode body = JSON.readTree(response.body());
        List<String> tags = new ArrayList<>();
        body.path("tags").forEach(t -> tags.add(t.asText()));
        return tags;
    }

    @Test
    void allTagsInLexicalOrderWithoutALink() throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/team/app/tags/list");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("name").asText()).isEqualTo("team/app");
        assertThat(tags(response)).containsExactlyElementsOf(TAGS);
        assertThat(response.headers().firstValue("Link")).isEmpty();
    }

    @Test
    void pagesFollowTheLinkUntilTheEnd() throws Exception {
        List<String> seen = new ArrayList<>();
        String next = "/v2/team/app/tags/list?n=3";
        int pages = 0;
        while (next != null) {
            HttpResponse<byte[]> response = registry.get(next);
            assertThat(response.statusCode()).isEqualTo(200);
            List<String> page = tags(response);
            assertThat(page.size()).isLessThanOrEqualTo(3);
            seen.addAll(page);
            pages++;
            next = response.headers().firstValue("Link")
                    .map(link -> link.substring(link.indexOf('<') + 1, link.indexOf('>')))
                    .orElse(null);
            if (next != null) {
                assertThat(response.headers().firstValue("Link").orElseThrow()).endsWith("; rel=\"next\"");
            }
        }
        assertThat(seen).containsExactlyElementsOf(TAGS);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void lastStartsAfterTheNamedTag() throws Exception {
        assertThat(tags(registry.get("/v2/team/app/tags/list?last=a"))).containsExactly("latest", "v1");
        assertThat(tags(registry.get("/v2/team/app/tags/list?n=2&last=1.10"))).containsExactly("1.2", "A");
        assertThat(tags(registry.get("/v2/team/app/tags/list?last=zzz"))).isEmpty();
        assertThat(tags(registry.get("/v2/team/app/tags/list?last=b"))).as("last need not exist").containsExactly("latest", "v1");
    }

    @Test
    void zeroResultsAreAnEmptyList() throws Exception {
        assertThat(tags(registry.get("/v2/team/app/tags/list?n=0"))).isEmpty();
    }

    @Test
    void moreThanThereAreReturnsAllWithoutALink() throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/team/app/tags/list?n=100");
        assertThat(tags(response)).containsExactlyElementsOf(TAGS);
        assertThat(response.headers().firstValue("Link")).isEmpty();
    }

    @Test
    void invalidPageSizeIsPaginationNumberInvalid() throws Exception {
        for (String n : List.of("-1", "abc", "1.5", "99999999999")) {
            HttpResponse<byte[]> response = registry.get("/v2/team/app/tags/list?n=" + n);
            assertThat(response.statusCode()).as(n).isEqualTo(400);
            assertThat(errorCode(response)).as(n).isEqualTo("PAGINATION_NUMBER_INVALID");
        }
    }

    @Test
    void unknownRepositoryIsNameUnknown() throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/team/nothing/tags/list");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCode(response)).isEqualTo("NAME_UNKNOWN");
    }

    @Test
    void repositoryWithBlobsOnlyIsNameUnknown() throws Exception {
        registry.push("blobs/only", "x".getBytes());
        assertThat(errorCode(registry.get("/v2/blobs/only/tags/list"))).isEqualTo("NAME_UNKNOWN");
    }
}
