package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class BaseApiTest extends RegistryTestBase {

    @Test
    void baseEndpointAnswersOkWithApiVersionHeader() throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");
        assertThat(new String(response.body())).isEqualTo("{}");
    }

    @Test
    void baseEndpointWithoutTrailingSlashAnswersToo() throws Exception {
        assertThat(registry.get("/v2").statusCode()).isEqualTo(200);
    }

    @Test
    void headOfBaseEndpointHasNoBody() throws Exception {
        HttpResponse<byte[]> response = registry.head("/v2/");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void unknownRouteGetsJsonNotFound() throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/library/ubuntu/nothing/here");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(errorCode(response)).isEqualTo("NOT_FOUND");
        assertThat(registry.get("/other").statusCode()).isEqualTo(404);
    }

    @Test
    void wrongMethodIsUnsupportedWithAllowHeader() throws Exception {
        HttpResponse<byte[]> response = registry.send("POST", "/v2/", new byte[0]);
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(errorCode(response)).isEqualTo("UNSUPPORTED");
        assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void everyResponseCarriesTheApiVersionHeader() throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/a/blobs/sha256:" + "0".repeat(64));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");
    }
}
