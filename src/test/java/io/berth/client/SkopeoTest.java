package io.berth.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.OciLayout;
import io.berth.testing.OciLayout.Descriptor;
import io.berth.testing.OciLayout.Image;
import io.berth.testing.OciLayout.MultiArch;
import io.berth.testing.Skopeo;
import io.berth.testing.TestRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pushes and pulls generated images with skopeo, a real client, and checks every byte comes back unchanged. */
class SkopeoTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String ACCEPT_MANIFESTS = String.join(", ", OciLayout.MANIFEST, OciLayout.INDEX, DOCKER_MANIFEST,
            "application/vnd.docker.distribution.manifest.list.v2+json");

    @TempDir
    Path root;
    @TempDir
    Path images;
    TestRegistry registry;
    final Skopeo skopeo = new Skopeo();

    @BeforeEach
    void startRegistry() throws Exception {
        registry = TestRegistry.start(root);
    }

    @AfterEach
    void stopRegistry() throws Exception {
        registry.close();
    }

    /** The registry's {@code host:port}, as skopeo's docker transport wants it. */
    String host() {
        return "127.0.0.1:" + registry.port();
    }

    /** The status of a GET on the registry, asking for any manifest type. */
    int statusOfGet(String path) throws Exception {
        return registry.get(path, "Accept", ACCEPT_MANIFESTS).statusCode();
    }

    @Test
    void multiLayerOciImageComesBackByteForByte() throws Exception {
        OciLayout source = OciLayout.create(images.resolve("source"));
        Image image = source.addImage("1.0", 3, 1);

        skopeo.copy("oci:" + source.dir() + ":1.0", docker("library/app:1.0"));
        Path pulled = images.resolve("pulled");
        skopeo.copy(docker("library/app:1.0"), "oci:" + pulled + ":1.0");

        SortedMap<String, byte[]> original = OciLayout.blobs(source.dir());
        assertThat(original).containsOnlyKeys(expectedDigests(image));
        assertSameBlobs(OciLayout.blobs(pulled), original);
        assertThat(taggedDigest(pulled, "1.0")).isEqualTo(image.digest());
    }

    @Test
    void dockerSchema2PushKeepsTheLayerAndConfigBytes() throws Exception {
        OciLayout source = OciLayout.create(images.resolve("source"));
        Image image = source.addImage("v2s2", 3, 2);

        skopeo.copy("oci:" + source.dir() + ":v2s2", docker("docker/app:v2s2"), "--format", "v2s2");

        String raw = skopeo.inspect(docker("docker/app:v2s2"), "--raw").stdout();
        JsonNode manifest = JSON.readTree(raw);
        assertThat(manifest.path("mediaType").asText()).isEqualTo(DOCKER_MANIFEST);
        assertThat(manifest.path("config").path("digest").asText()).isEqualTo(image.config().digest());
        assertThat(manifest.path("layers").findValuesAsText("digest")).containsExactlyElementsOf(image.layerDigests());

        // The dir: transport stores the manifest as the registry served it, where an oci: layout
        // would make skopeo convert it back to OCI: this way the pull is checked to get Docker schema 2.
        Path pulled = images.resolve("pulled");
        skopeo.copy(docker("docker/app:v2s2"), "dir:" + pulled);
        assertThat(pulled.resolve("manifest.json")).hasContent(raw);
        List<Descriptor> blobs = new ArrayList<>(image.layers());
        blobs.add(image.config());
        for (Descriptor blob : blobs) {
            assertThat(pulled.resolve(blob.digest().substring("sha256:".length())))
                    .as("blob %s", blob.digest())
                    .hasBinaryContent(Files.readAllBytes(OciLayout.blobPath(source.dir(), blob.digest())));
        }
    }

    @Test
    void multiArchitectureIndexComesBackWhole() throws Exception {
        OciLayout source = OciLayout.create(images.resolve("source"));
        MultiArch multi = source.addMultiArch("multi", 3);

        skopeo.copy("oci:" + source.dir() + ":multi", docker("multi/app:multi"), "--all");
        Path pulled = images.resolve("pulled");
        skopeo.copy(docker("multi/app:multi"), "oci:" + pulled + ":multi", "--all");

        SortedMap<String, byte[]> original = OciLayout.blobs(source.dir());
        List<String> expected = new ArrayList<>(List.of(multi.digest()));
        multi.platforms().values().forEach(image -> expected.addAll(expectedDigests(image)));
        assertThat(original).containsOnlyKeys(expected);
        assertSameBlobs(OciLayout.blobs(pulled), original);
        assertThat(taggedDigest(pulled, "multi")).isEqualTo(multi.digest());
    }

    @Test
    void inspectReportsTheManifestDigestAndLayers() throws Exception {
        OciLayout source = OciLayout.create(images.resolve("source"));
        Image image = source.addImage("1.0", 3, 4);
        skopeo.copy("oci:" + source.dir() + ":1.0", docker("inspect/app:1.0"));

        JsonNode inspected = JSON.readTree(skopeo.inspect(docker("inspect/app:1.0")).stdout());
        assertThat(inspected.path("Digest").asText()).isEqualTo(image.digest());
        assertThat(texts(inspected.path("Layers"))).containsExactlyElementsOf(image.layerDigests());
        assertThat(inspected.path("Architecture").asText()).isEqualTo("amd64");
        assertThat(inspected.path("Os").asText()).isEqualTo("linux");
        assertThat(texts(inspected.path("Env"))).containsExactly(OciLayout.ENV);

        String raw = skopeo.inspect(docker("inspect/app:1.0"), "--raw").stdout();
        assertThat(raw).isEqualTo(Files.readString(OciLayout.blobPath(source.dir(), image.digest())));
    }

    @Test
    void listTagsShowsEveryPushedTag() throws Exception {
        OciLayout source = OciLayout.create(images.resolve("source"));
        source.addImage("1.0", 2, 5);

        // The second push finds every blob present and only tags the manifest again.
        skopeo.copy("oci:" + source.dir() + ":1.0", docker("tags/app:1.0"));
        skopeo.copy("oci:" + source.dir() + ":1.0", docker("tags/app:latest"));

        assertThat(listTags("tags/app")).containsExactlyInAnyOrder("1.0", "latest");
    }

    @Test
    void deleteByTagRemovesTheManifestAndTheTag() throws Exception {
        OciLayout source = OciLayout.create(images.resolve("source"));
        Image doomed = source.addImage("old", 2, 6);
        Image kept = source.addImage("new", 2, 7);
        // Two different manifests, so that deleting one leaves a tag to list: a repository
        // without tags is answered differently by different registries.
        skopeo.copy("oci:" + source.dir() + ":old", docker("delete/app:old"));
        skopeo.copy("oci:" + source.dir() + ":new", docker("delete/app:new"));
        assertThat(statusOfGet("/v2/delete/app/manifests/" + doomed.digest())).isEqualTo(200);

        skopeo.delete(docker("delete/app:old"));

        assertThat(statusOfGet("/v2/delete/app/manifests/" + doomed.digest())).isEqualTo(404);
        assertThat(statusOfGet("/v2/delete/app/manifests/old")).isEqualTo(404);
        assertThat(listTags("delete/app")).containsExactly("new");
        assertThat(statusOfGet("/v2/delete/app/manifests/" + kept.digest())).isEqualTo(200);
    }

    private String docker(String repositoryAndTag) {
        return "docker://" + host() + "/" + repositoryAndTag;
    }

    private List<String> listTags(String repository) throws IOException {
        return texts(JSON.readTree(skopeo.listTags("docker://" + host() + "/" + repository).stdout()).path("Tags"));
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static List<String> expectedDigests(Image image) {
        List<String> digests = new ArrayList<>(List.of(image.digest(), image.config().digest()));
        digests.addAll(image.layerDigests());
        return digests;
    }

    /** The digest that a layout's {@code index.json} gives for {@code tag}. */
    private static String taggedDigest(Path layout, String tag) throws IOException {
        for (JsonNode manifest : JSON.readTree(layout.resolve("index.json").toFile()).path("manifests")) {
            if (tag.equals(manifest.path("annotations").path(OciLayout.REF_NAME).asText())) {
                return manifest.path("digest").asText();
            }
        }
        throw new AssertionError("no " + tag + " in " + layout.resolve("index.json"));
    }

    private static void assertSameBlobs(Map<String, byte[]> actual, Map<String, byte[]> expected) {
        assertThat(actual.keySet()).as("blob digests").containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((digest, bytes) -> assertThat(actual.get(digest)).as("blob %s", digest).isEqualTo(bytes));
    }
}
