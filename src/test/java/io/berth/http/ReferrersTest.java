package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReferrersTest extends RegistryTestBase {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SBOM = "application/vnd.example.sbom+json";
    static final String SIGNATURE = "application/vnd.example.signature";
    static final String EMPTY = "application/vnd.oci.empty.v1+json";

    Images images;
    Digest subject;
    long subjectSize;

    @BeforeEach
    void pushSubject() throws Exception {
        images = new Images(registry);
        subject = images.push("app", "v1", images.image("app", "subject", 1));
        subjectSize = registry.get("/v2/app/manifests/v1").body().length;
    }

    /** An artifact manifest about the subject: with artifactType, or typed by its config when {@code artifactType} is null. */
    private Map<String, Object> artifact(String artifactType, String configType, Map<String, String> annotations) throws Exception {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        if (artifactType != null) {
            manifest.put("artifactType", artifactType);
        }
        manifest.put("config", images.blob("app", configType, "{}".getBytes()));
        manifest.put("layers", List.of(images.blob("app", "application/octet-stream", (artifactType + annotations).getBytes())));
        manifest.put("subject", Images.descriptor(MediaTypes.OCI_MANIFEST, subject, subjectSize));
        manifest.put("annotations", annotations);
        return manifest;
    }

    private JsonNode referrers(String query) throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/app/referrers/" + subject + query);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(MediaTypes.OCI_INDEX);
        JsonNode index = JSON.readTree(response.body());
        assertThat(index.path("schemaVersion").asInt()).isEqualTo(2);
        assertThat(index.path("mediaType").asText()).isEqualTo(MediaTypes.OCI_INDEX);
        return index;
    }

    private static List<String> digests(JsonNode index) {
        List<String> digests = new ArrayList<>();
        index.path("manifests").forEach(m -> digests.add(m.path("digest").asText()));
        return digests;
    }

    @Test
    void pushWithSubjectAnswersWithOciSubject() throws Exception {
        byte[] bytes = Images.json(artifact(SBOM, EMPTY, Map.of()));
        HttpResponse<byte[]> response = images.put("app", Digest.sha256(bytes).toString(), bytes, MediaTypes.OCI_MANIFEST);
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("OCI-Subject")).hasValue(subject.toString());
    }

    @Test
    void referrersListEveryManifestNamingTheSubjectWithTypeAndAnnotations() throws Exception {
        byte[] sbom = Images.json(artifact(SBOM, EMPTY, Map.of("org.example.kind", "sbom")));
        byte[] signature = Images.json(artifact(null, SIGNATURE, Map.of("org.example.signer", "me")));
        images.put("app", Digest.sha256(sbom).toString(), sbom, MediaTypes.OCI_MANIFEST);
        images.put("app", "sig", signature, MediaTypes.OCI_MANIFEST);

        JsonNode index = referrers("");
        assertThat(digests(index)).containsExactlyInAnyOrder(Digest.sha256(sbom).toString(), Digest.sha256(signature).toString());
        for (JsonNode entry : index.path("manifests")) {
            boolean isSbom = entry.path("digest").asText().equals(Digest.sha256(sbom).toString());
            assertThat(entry.path("mediaType").asText()).isEqualTo(MediaTypes.OCI_MANIFEST);
            assertThat(entry.path("size").asLong()).isEqualTo(isSbom ? sbom.length : signature.length);
            assertThat(entry.path("artifactType").asText()).as("artifactType, else the config's type").isEqualTo(isSbom ? SBOM : SIGNATURE);
            assertThat(entry.path("annotations").path(isSbom ? "org.example.kind" : "org.example.signer").asText()).isEqualTo(isSbom ? "sbom" : "me");
        }
        assertThat(registry.get("/v2/app/referrers/" + subject).headers().firstValue("OCI-Filters-Applied")).isEmpty();
    }

    @Test
    void artifactTypeFilterKeepsOnlyThatTypeAndSaysSo() throws Exception {
        byte[] sbom = Images.json(artifact(SBOM, EMPTY, Map.of()));
        images.put("app", "sbom", sbom, MediaTypes.OCI_MANIFEST);
        images.put("app", "sig", Images.json(artifact(SIGNATURE, EMPTY, Map.of())), MediaTypes.OCI_MANIFEST);

        HttpResponse<byte[]> response = registry.get("/v2/app/referrers/" + subject + "?artifactType="
                + URLEncoder.encode(SBOM, StandardCharsets.UTF_8));
        assertThat(response.headers().firstValue("OCI-Filters-Applied")).hasValue("artifactType");
        assertThat(digests(JSON.readTree(response.body()))).containsExactly(Digest.sha256(sbom).toString());
        assertThat(digests(referrers("?artifactType=application/vnd.example.none"))).isEmpty();
    }

    @Test
    void unknownSubjectHasAnEmptyIndexNotA404() throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/app/referrers/" + Digest.sha256("nothing".getBytes()));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("manifests").isArray()).isTrue();
        assertThat(JSON.readTree(response.body()).path("manifests")).isEmpty();
        assertThat(registry.get("/v2/unknown/repo/referrers/" + subject).statusCode()).isEqualTo(200);
    }

    @Test
    void subjectNeedNotExistBeforeItsReferrers() throws Exception {
        Digest future = Digest.sha256("pushed later".getBytes());
        Map<String, Object> manifest = artifact(SBOM, EMPTY, Map.of());
        manifest.put("subject", Images.descriptor(MediaTypes.OCI_MANIFEST, future, 12));
        Digest referrer = images.push("app", "early", manifest);
        assertThat(digests(JSON.readTree(registry.get("/v2/app/referrers/" + future).body()))).containsExactly(referrer.toString());
    }

    @Test
    void deletedReferrerDisappearsFromTheList() throws Exception {
        Digest sbom = images.push("app", "sbom", artifact(SBOM, EMPTY, Map.of()));
        Digest signature = images.push("app", "sig", artifact(SIGNATURE, EMPTY, Map.of()));
        assertThat(registry.send("DELETE", "/v2/app/manifests/" + sbom, null).statusCode()).isEqualTo(202);
        assertThat(digests(referrers(""))).containsExactly(signature.toString());
    }

    @Test
    void referrersAreScopedToTheRepository() throws Exception {
        images.push("app", "sbom", artifact(SBOM, EMPTY, Map.of()));
        assertThat(digests(JSON.readTree(registry.get("/v2/other/referrers/" + subject).body()))).isEmpty();
    }

    @Test
    void malformedSubjectDigestIsDigestInvalid() throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/app/referrers/sha256:zz");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("DIGEST_INVALID");
    }
}
