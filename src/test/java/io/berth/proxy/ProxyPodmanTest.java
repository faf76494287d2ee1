package io.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.testing.Distribution;
import io.berth.testing.OciLayout;
import io.berth.testing.Skopeo;
import io.berth.testing.TestRegistry;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** podman pulls an image named after the upstream through Berth, configured as the upstream's mirror in registries.conf. */
class ProxyPodmanTest {

    @TempDir
    static Path dir;
    static Distribution upstream;
    static TestRegistry cache;
    static OciLayout.Image image;

    @BeforeAll
    static void start() throws Exception {
        upstream = Distribution.start(dir.resolve("upstream"));
        OciLayout source = OciLayout.create(dir.resolve("source"));
        image = source.addImage("1.0", 2, 51);
        new Skopeo().copy("oci:" + source.dir() + ":1.0", "docker://127.0.0.1:" + upstream.port() + "/team/hello:1.0");
        cache = TestRegistry.builder(dir.resolve("cache")).env("REGISTRY_PROXY_REMOTEURL", upstream.url()).start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {cache, upstream}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void podmanPullsThroughTheCacheAsTheUpstreamsMirror() throws Exception {
        Path home = Files.createDirectories(dir.resolve("podman"));
        Path registries = Files.writeString(home.resolve("registries.conf"), """
                [[registry]]
                location = "127.0.0.1:%d"
                insecure = true

                [[registry.mirror]]
                location = "127.0.0.1:%d"
                insecure = true
                """.formatted(upstream.port(), cache.port()));
        String output = podman(home, registries, "pull", "127.0.0.1:" + upstream.port() + "/team/hello:1.0");
        // podman prints the image's id, its config's digest, once the image is stored.
        assertThat(output.strip()).endsWith(image.config().digest().substring("sha256:".length()));

        Path repository = dir.resolve("cache/docker/registry/v2/repositories/team/hello");
        for (String layer : image.layerDigests()) {
            String hex = layer.substring("sha256:".length());
            Path link = repository.resolve("_layers/sha256/" + hex + "/link");
            Await.until(() -> Files.exists(link)); // podman is done once it has the bytes; the cache stores them just after
            assertThat(repository.resolve("_layers/sha256/" + hex + "/link")).as("cached " + layer).exists();
            assertThat(upstream.gets("/v2/team/hello/blobs/" + layer, 1)).as("upstream GETs of " + layer).isEqualTo(1);
        }
    }

    /** Runs podman with every file of its own under {@code home}; fails with its output on a non-zero exit. */
    private static String podman(Path home, Path registries, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("podman", "--root", home.resolve("root").toString(),
                "--runroot", home.resolve("run").toString(), "--storage-driver", "vfs", "--events-backend", "none"));
        command.addAll(List.of(arguments));
        Path output = home.resolve("output.txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("HOME", home.toString());
        builder.environment().put("XDG_RUNTIME_DIR", Files.createDirectories(home.resolve("xdg")).toString());
        builder.environment().put("XDG_CONFIG_HOME", Files.createDirectories(home.resolve("config")).toString());
        builder.environment().put("CONTAINERS_REGISTRIES_CONF", registries.toString());
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("podman did not finish in 120 s: " + Files.readString(output));
        }
        String text = Files.readString(output);
        assertThat(process.exitValue()).as("%s:%n%s", String.join(" ", command), text).isZero();
        return text;
    }
}
