package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseApiTest {

    @TempDir
    Path root;
    TestRegistry registry;

    @BeforeEach
    void start() throws Exception {
        registry = TestRegistry.start(root);
    }

    @AfterEach
    void stop() throws Exception {
        registry.close();
    }

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
