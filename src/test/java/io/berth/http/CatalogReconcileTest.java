package io.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.Cli;
import io.berth.testing.Images;
import io.berth.testing.TestRegistry;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog follows repositories that another writer of the same root (Distribution, a restore,
 * another replica) adds or removes: in the background, and through {@code berth catalog rebuild}.
 * On a filesystem root, written directly as Distribution would.
 */
class CatalogReconcileTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    /** Reconciles every 200 ms. */
    static TestRegistry reconciling;
    /** Never reconciles in the background: only the command changes its index. */
    static TestRegistry still;

    @BeforeAll
    static void start() throws Exception {
        reconciling = TestRegistry.builder(dir.resolve("reconciling"))
                .env("REGISTRY_STORAGE_MAINTENANCE_CATALOG_INTERVAL", "200ms").start();
        still = TestRegistry.builder(dir.resolve("still")).env("REGISTRY_STORAGE_MAINTENANCE_CATALOG_INTERVAL", "0").start();
    }

    @AfterAll
    static void stop() throws Exception {
        reconciling.close();
        still.close();
    }

    /** The repositories of the catalog under a prefix: the tests share the servers, each under its own. */
    private static List<String> catalog(TestRegistry registry, String prefix) throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/_catalog");
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        JSON.readTree(response.body()).path("repositories").forEach(r -> names.add(r.asText()));
        return names.stream().filter(n -> n.startsWith(prefix)).toList();
    }

    private static List<String> awaitCatalog(TestRegistry registry, String prefix, List<String> expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        List<String> names = catalog(registry, prefix);
        while (!names.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            names = catalog(registry, prefix);
        }
        return names;
    }

    private static void push(TestRegistry registry, String... names) throws Exception {
        Images images = new Images(registry);
        for (String name : names) {
            images.push(name, "latest", images.image(name, "reconcile", 1));
        }
    }

    private static Path repositories(String root) {
        return dir.resolve(root).resolve("docker/registry/v2/repositories");
    }

    /** What Distribution leaves of a repository that has a tag. */
    private static void writeAsDistribution(String root, String name) throws IOException {
        Files.createDirectories(repositories(root).resolve(name).resolve("_manifests/tags/latest/current"));
        Files.createDirectories(repositories(root).resolve(name).resolve("_layers/sha256"));
    }

    private static void removeTree(Path top) throws IOException {
        try (Stream<Path> paths = Files.walk(top)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @Test
    void repositoriesAnotherWriterAddsOrRemovesAppearAndDisappearAfterTheBackgroundReconcile() throws Exception {
        push(reconciling, "bg/kept", "bg/gone");
        assertThat(catalog(reconciling, "bg/")).containsExactly("bg/gone", "bg/kept");

        writeAsDistribution("reconciling", "bg/restored/app");
        removeTree(repositories("reconciling").resolve("bg/gone"));
        // And a restore of an older index that lacks a repository Berth has seen: it must come back too.
        Files.delete(dir.resolve("reconciling/docker/registry/v2/_berth/catalog/bg0kept"));

        assertThat(awaitCatalog(reconciling, "bg/", List.of("bg/kept", "bg/restored/app"))).containsExactly("bg/kept", "bg/restored/app");
        // Pushed again, the removed repository is listed again: the index does not remember it as there.
        push(reconciling, "bg/gone");
        assertThat(catalog(reconciling, "bg/")).containsExactly("bg/gone", "bg/kept", "bg/restored/app");
    }

    @Test
    void aRepositoryWhoseManifestsWereAllDeletedStaysListedAsInDistribution() throws Exception {
        Images images = new Images(reconciling);
        var digest = images.push("emptied/app", "latest", images.image("emptied/app", "emptied", 1));
        assertThat(reconciling.send("DELETE", "/v2/emptied/app/manifests/" + digest, null).statusCode()).isEqualTo(202);
        assertThat(reconciling.get("/v2/emptied/app/manifests/latest").statusCode()).isEqualTo(404);
        // One more reconcile runs after this push; it must keep the emptied repository.
        push(reconciling, "emptied/marker");
        writeAsDistribution("reconciling", "emptied/seen");

        List<String> expected = List.of("emptied/app", "emptied/marker", "emptied/seen");
        assertThat(awaitCatalog(reconciling, "emptied/", expected)).containsExactlyElementsOf(expected);
    }

    @Test
    void catalogRebuildRunAsACommandAddsAndRemovesWhatAnotherWriterChanged() throws Exception {
        push(still, "cmd/kept", "cmd/gone");
        assertThat(catalog(still, "cmd/")).containsExactly("cmd/gone", "cmd/kept");
        writeAsDistribution("still", "cmd/restored");
        writeAsDistribution("still", "cmd/restored/nested-9");
        removeTree(repositories("still").resolve("cmd/gone"));
        assertThat(catalog(still, "cmd/")).as("no background reconcile here").containsExactly("cmd/gone", "cmd/kept");

        Cli.Result result = Cli.run(Map.of("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", dir.resolve("still").toString()),
                "catalog", "rebuild");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout()).contains("3 repositories", "2 entries added", "1 removed");
        assertThat(catalog(still, "cmd/")).containsExactly("cmd/kept", "cmd/restored", "cmd/restored/nested-9");
    }

    @Test
    void catalogRebuildWithABadConfigurationExitsTwo() throws Exception {
        Path file = dir.resolve("bad.yml");
        Files.writeString(file, "version: 0.1\nstorage:\n  inmemory:\n  maintenance:\n    catalog:\n      interval: soon\n");

        Cli.Result result = Cli.run(Map.of(), "catalog", "rebuild", file.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("storage.maintenance.catalog.interval");
        assertThat(result.stdout()).isEmpty();
    }
}
