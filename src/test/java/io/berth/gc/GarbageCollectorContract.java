package io.berth.gc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.storage.Paths;
import io.berth.storage.cache.DescriptorCache;
import io.berth.storage.driver.CheckedStorageDriver;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import io.berth.testing.Images;
import io.berth.testing.TestRegistry;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The collector over roots that a real registry filled through HTTP, checked through HTTP again
 * afterwards; run on each driver by a subclass that says where a root lives.
 */
abstract class GarbageCollectorContract {

    private static final ObjectMapper JSON = new ObjectMapper();

    TestRegistry registry;
    StorageDriver driver;
    Images images;

    /** A registry over a fresh root of this storage. */
    abstract TestRegistry.Builder registryOnFreshRoot() throws Exception;

    /** A driver over the root of the last {@link #registryOnFreshRoot}. */
    abstract StorageDriver driverOnRoot();

    @BeforeEach
    void fillRoot() throws Exception {
        registry = registryOnFreshRoot().start();
        driver = CheckedStorageDriver.wrap(driverOnRoot());
        images = new Images(registry);
    }

    @AfterEach
    void stop() throws Exception {
        registry.close();
        driver.close();
    }

    @Test
    void plainCollectionRemovesExactlyTheBlobsNoManifestUsesAndDryRunOnlyReportsThem() throws Exception {
        Map<String, Object> kept = images.image("team/app", "kept", 2);
        Digest keptDigest = images.push("team/app", "v1", kept);
        Map<String, Object> dropped = images.image("team/app", "dropped", 2);
        layers(dropped).add(layers(kept).get(0)); // a layer both use stays
        Digest droppedDigest = images.push("team/app", "v2", dropped);
        assertThat(registry.send("DELETE", "/v2/team/app/manifests/" + droppedDigest, null).statusCode()).isEqualTo(202);
        Digest orphan = registry.push("scratch", "pushed, never referenced".getBytes());
        Set<Digest> expected = new HashSet<>(digests(dropped));
        expected.remove(digest(layers(kept).get(0)));
        expected.addAll(List.of(droppedDigest, orphan));
        List<String> before = files("docker/registry/v2");

        Report dry = collector().collect(new Options(true, false, Duration.ZERO), Listener.SILENT);

        assertThat(sweptDigests(dry)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(dry.bytesFreed()).isEqualTo(dry.blobsDeleted().stream().mapToLong(Report.Swept::size).sum()).isPositive();
        assertThat(files("docker/registry/v2")).isEqualTo(before);

        List<String> lines = new ArrayList<>();
        Report done = collector().collect(new Options(false, false, Duration.ZERO), line -> {
            synchronized (lines) {
                lines.add(line);
            }
        });

        assertThat(sweptDigests(done)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(done.bytesFreed()).isEqualTo(dry.bytesFreed());
        assertThat(done.manifestsDeleted()).isEmpty();
        assertThat(lines).contains("team/app", "team/app: marking manifest " + keptDigest,
                "blob eligible for deletion: " + orphan, "Deleting blob: " + Paths.of(new Paths.BlobDir(orphan)));
        for (Digest gone : expected) {
            assertThat(exists(Paths.of(new Paths.BlobData(gone)))).as("%s swept", gone).isFalse();
        }
        assertThat(exists(Paths.of(new Paths.LayerLink(io.berth.registry.RepositoryName.parse("scratch"), orphan)))).isFalse();
        registry.restart(); // nothing remembered from before the collection
        assertThat(registry.head("/v2/scratch/blobs/" + orphan).statusCode()).isEqualTo(404);
        assertPullsWhole("team/app", "v1", kept);
        assertThat(collector().collect(new Options(true, false, Duration.ZERO), Listener.SILENT).blobsDeleted()).isEmpty();
    }

    @Test
    void deleteUntaggedKeepsIndexChildrenAndReferrersOfKeptImagesAndRemovesOrphanReferrers() throws Exception {
        String repo = "multi/arch";
        Map<String, Object> first = images.image(repo, "amd64", 1);
        Digest firstDigest = images.push(repo, digestOf(first).toString(), first);
        Map<String, Object> second = images.image(repo, "arm64", 1);
        Digest secondDigest = images.push(repo, digestOf(second).toString(), second);
        Map<String, Object> inner = index(second);
        Digest innerDigest = images.push(repo, digestOf(inner).toString(), inner);
        Map<String, Object> outer = index(first, inner);
        images.push(repo, "latest", outer);
        Map<String, Object> signature = referrer(repo, "signature of amd64", first);
        Digest signatureDigest = images.push(repo, digestOf(signature).toString(), signature);
        Map<String, Object> untagged = images.image(repo, "untagged", 2);
        Digest untaggedDigest = images.push(repo, digestOf(untagged).toString(), untagged);
        Map<String, Object> orphan = referrer(repo, "signature of untagged", untagged);
        Digest orphanDigest = images.push(repo, digestOf(orphan).toString(), orphan);
        Set<Digest> expected = new HashSet<>(digests(untagged));
        expected.addAll(digests(orphan));
        expected.addAll(List.of(untaggedDigest, orphanDigest));
        List<String> before = files("docker/registry/v2");

        Report dry = collector().collect(new Options(true, true, Duration.ZERO), Listener.SILENT);

        assertThat(dry.manifestsDeleted()).containsExactlyInAnyOrder(repo + "@" + untaggedDigest, repo + "@" + orphanDigest);
        assertThat(sweptDigests(dry)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(files("docker/registry/v2")).isEqualTo(before);

        Report done = collector().collect(new Options(false, true, Duration.ZERO), Listener.SILENT);

        assertThat(done.manifestsDeleted()).isEqualTo(dry.manifestsDeleted());
        assertThat(sweptDigests(done)).containsExactlyInAnyOrderElementsOf(expected);
        registry.restart();
        for (Digest gone : List.of(untaggedDigest, orphanDigest)) {
            assertThat(registry.get("/v2/" + repo + "/manifests/" + gone).statusCode()).isEqualTo(404);
        }
        assertThat(referrers(repo, untaggedDigest)).isEmpty();
        assertThat(referrers(repo, firstDigest)).containsExactly(signatureDigest.toString());
        for (Digest manifest : List.of(firstDigest, secondDigest, innerDigest, signatureDigest)) {
            assertThat(registry.get("/v2/" + repo + "/manifests/" + manifest).statusCode()).isEqualTo(200);
        }
        assertPullsWhole(repo, "latest", outer);
        for (Map<String, Object> image : List.of(first, second, signature)) {
            assertBlobsServed(repo, image);
        }
        assertThat(collector().collect(new Options(true, true, Duration.ZERO), Listener.SILENT).blobsDeleted()).isEmpty();
    }

    @Test
    void youngBlobsAndBlobsTouchedSinceTheDelayAreKept() throws Exception {
        Digest young = registry.push("scratch", "young".getBytes());
        Options delayed = new Options(false, false, Duration.ofHours(1));

        Report now = new GarbageCollector(driver, DescriptorCache.none(), Fence.NONE, Clock.systemUTC()).collect(delayed, Listener.SILENT);

        assertThat(now.blobsDeleted()).isEmpty();
        assertThat(exists(Paths.of(new Paths.BlobData(young)))).isTrue();

        Digest touched = registry.push("scratch", "old but pushed again".getBytes());
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
        AtomicReference<Instant> asked = new AtomicReference<>();
        Fence fence = new Fence() {
            public Set<Digest> touchedSince(Instant since) {
                asked.set(since);
                return Set.of(touched);
            }

            public Set<Digest> begin(Set<Digest> candidates) {
                return Set.of();
            }

            public void end() {}
        };
        Instant start = later.instant();

        Report then = new GarbageCollector(driver, DescriptorCache.none(), fence, later).collect(delayed, Listener.SILENT);

        assertThat(sweptDigests(then)).containsExactly(young);
        assertThat(asked.get()).isBetween(start.minus(Duration.ofHours(1)), later.instant().minus(Duration.ofHours(1)));
        assertThat(exists(Paths.of(new Paths.BlobData(touched)))).isTrue();
    }

    @Test
    void blobsPushesClaimAreKeptAndABlobThatVanishesBeforeItsDeleteIsNoFailure() throws Exception {
        Digest claimed = registry.push("scratch", "claimed by a push in flight".getBytes());
        Digest vanishing = registry.push("scratch", "deleted by someone else meanwhile".getBytes());
        Digest plain = registry.push("scratch", "plainly unused".getBytes());
        AtomicReference<Set<Digest>> announced = new AtomicReference<>();
        AtomicBoolean ended = new AtomicBoolean();
        Fence fence = new Fence() {
            public Set<Digest> touchedSince(Instant since) {
                return Set.of();
            }

            public Set<Digest> begin(Set<Digest> candidates) throws IOException {
                announced.set(Set.copyOf(candidates));
                driver.delete(Paths.of(new Paths.BlobDir(vanishing)));
                return Set.of(claimed);
            }

            public void end() {
                ended.set(true);
            }
        };

        Report report = new GarbageCollector(driver, DescriptorCache.none(), fence, Clock.systemUTC())
                .collect(new Options(false, false, Duration.ZERO), Listener.SILENT);

        assertThat(announced.get()).containsExactlyInAnyOrder(claimed, vanishing, plain);
        assertThat(ended).isTrue();
        assertThat(sweptDigests(report)).containsExactlyInAnyOrder(vanishing, plain);
        assertThat(exists(Paths.of(new Paths.BlobData(claimed)))).isTrue();
        assertThat(exists(Paths.of(new Paths.BlobData(plain)))).isFalse();
        assertThat(registry.head("/v2/scratch/blobs/" + claimed).statusCode()).isEqualTo(200);
    }

    @Test
    void anUnreadableManifestMarksOnlyItselfAndTheRunGoesOn() throws Exception {
        Map<String, Object> damaged = images.image("team/damaged", "damaged", 1);
        Digest damagedDigest = images.push("team/damaged", "v1", damaged);
        driver.putContent(Paths.of(new Paths.BlobData(damagedDigest)), "not a manifest".getBytes());
        Map<String, Object> fine = images.image("team/fine", "fine", 1);
        images.push("team/fine", "v1", fine);

        Report report = collector().collect(new Options(false, false, Duration.ZERO), Listener.SILENT);

        assertThat(sweptDigests(report)).containsExactlyInAnyOrderElementsOf(digests(damaged));
        assertThat(exists(Paths.of(new Paths.BlobData(damagedDigest)))).isTrue();
        assertBlobsServed("team/fine", fine);
    }

    GarbageCollector collector() {
        return new GarbageCollector(driver, DescriptorCache.none(), Fence.NONE, Clock.systemUTC());
    }

    private static Set<Digest> sweptDigests(Report report) {
        Set<Digest> digests = new HashSet<>();
        report.blobsDeleted().forEach(swept -> digests.add(swept.digest()));
        assertThat(digests).hasSameSizeAs(report.blobsDeleted());
        return digests;
    }

    @SuppressWarnings("unchecked")
    static List<Object> layers(Map<String, Object> manifest) {
        return (List<Object>) manifest.get("layers");
    }

    @SuppressWarnings("unchecked")
    static Digest digest(Object descriptor) {
        return Digest.parse((String) ((Map<String, Object>) descriptor).get("digest"));
    }

    /** The config and layers of an image manifest. */
    static List<Digest> digests(Map<String, Object> image) {
        List<Digest> digests = new ArrayList<>();
        digests.add(digest(image.get("config")));
        layers(image).forEach(layer -> digests.add(digest(layer)));
        return digests;
    }

    static Digest digestOf(Map<String, Object> manifest) {
        return Digest.sha256(Images.json(manifest));
    }

    static Map<String, Object> manifestDescriptor(Map<String, Object> manifest) {
        return Images.descriptor((String) manifest.get("mediaType"), digestOf(manifest), Images.json(manifest).length);
    }

    @SafeVarargs
    static Map<String, Object> index(Map<String, Object>... children) {
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.put("manifests", List.of(children).stream().map(GarbageCollectorContract::manifestDescriptor).toList());
        return index;
    }

    /** An artifact with a blob of its own that refers to {@code subject}. */
    Map<String, Object> referrer(String repository, String seed, Map<String, Object> subject) throws Exception {
        Map<String, Object> artifact = images.image(repository, seed, 1);
        artifact.put("artifactType", "application/vnd.example.signature");
        artifact.put("subject", manifestDescriptor(subject));
        return artifact;
    }

    List<String> referrers(String repository, Digest subject) throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/" + repository + "/referrers/" + subject);
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> digests = new ArrayList<>();
        JSON.readTree(response.body()).path("manifests").forEach(entry -> digests.add(entry.path("digest").asText()));
        return digests;
    }

    /** The manifest by tag and every blob of it and of the manifests it lists, each hashing to its digest. */
    void assertPullsWhole(String repository, String tag, Map<String, Object> manifest) throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/" + repository + "/manifests/" + tag,
                "Accept", MediaTypes.OCI_MANIFEST + ", " + MediaTypes.OCI_INDEX);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode tree = JSON.readTree(response.body());
        for (JsonNode child : tree.path("manifests")) {
            HttpResponse<byte[]> pulled = registry.get("/v2/" + repository + "/manifests/" + child.path("digest").asText(),
                    "Accept", child.path("mediaType").asText());
            assertThat(pulled.statusCode()).isEqualTo(200);
            assertThat(Digest.sha256(pulled.body()).toString()).isEqualTo(child.path("digest").asText());
            JsonNode childTree = JSON.readTree(pulled.body());
            if (childTree.has("manifests")) {
                assertThat(childTree.path("manifests")).isNotEmpty();
            }
        }
        if (tree.has("config")) {
            assertBlobsServed(repository, manifest);
        }
    }

    void assertBlobsServed(String repository, Map<String, Object> image) throws Exception {
        for (Digest blob : digests(image)) {
            HttpResponse<byte[]> response = registry.get("/v2/" + repository + "/blobs/" + blob);
            assertThat(response.statusCode()).as("%s in %s", blob, repository).isEqualTo(200);
            assertThat(Digest.sha256(response.body())).isEqualTo(blob);
        }
    }

    boolean exists(String path) throws IOException {
        try {
            driver.stat(path);
            return true;
        } catch (StorageDriverException.PathNotFound e) {
            return false;
        }
    }

    List<String> files(String folder) throws IOException {
        List<String> files = new ArrayList<>();
        try {
            driver.walk("/" + folder, info -> {
                if (!info.isDirectory()) {
                    files.add(info.path());
                }
            });
        } catch (StorageDriverException.PathNotFound e) {
            return List.of();
        }
        return files;
    }
}
