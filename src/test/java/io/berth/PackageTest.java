package io.berth;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.config.Config;
import io.berth.testing.RedisServer;
import io.berth.testing.S3Proxy;
import io.berth.testing.ServerProcess;
import io.berth.testing.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./berth package}, run in a copy of the repository's files (no .git, as a source tarball),
 * and what it makes: a tarball that serves on its own Java runtime in an environment without a
 * JDK, and a .deb with the tree, a hardened systemd unit, a default configuration and maintainer
 * scripts. One package build serves both tests.
 */
class PackageTest {

    /** The Redis database of this class on the tests' shared server. */
    private static final int REDIS_DB = 13;

    @TempDir
    static Path dir;
    static Path dist;
    static String version;
    /** Debian's name of this machine's architecture, as the packages are named: amd64, arm64. */
    static String arch;
    /** The unpacked tarball's berth-<version> folder. */
    static Path home;
    /** An environment without JAVA_HOME whose PATH has a shell and nothing of Java. */
    static Map<String, String> noJdk;

    @BeforeAll
    static void buildThePackages() throws Exception {
        Path source = dir.resolve("source");
        // The files git knows of (and new ones not yet added), as in the working tree; not .git.
        Result listed = run(List.of("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"), Path.of("."), null);
        assertThat(listed.exitCode()).as(listed.output()).isZero();
        for (String file : listed.output().split("\0")) {
            Path from = Path.of(file);
            if (!file.isEmpty() && Files.exists(from)) {
                Files.createDirectories(source.resolve(file).getParent());
                Files.copy(from, source.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        Result packaged = run(List.of("./berth", "package"), source, null, 15);
        assertThat(packaged.exitCode()).as(packaged.output()).isZero();
        dist = source.resolve("target/dist");
        version = Files.readString(source.resolve("target/classes/io/berth/build.properties")).lines()
                .filter(l -> l.startsWith("version=")).findFirst().orElseThrow().substring("version=".length());

        arch = run(List.of("dpkg", "--print-architecture"), dir, null).output().strip();
        Path tarball = dist.resolve("berth-" + version + "-linux-" + arch + ".tar.gz");
        assertThat(Files.size(tarball)).isLessThan(90L << 20);
        Path unpacked = Files.createDirectories(dir.resolve("unpacked"));
        assertThat(run(List.of("tar", "-C", unpacked.toString(), "-xzf", tarball.toString()), dir, null).exitCode()).isZero();
        home = unpacked.resolve("berth-" + version);
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("bash", "dirname", "readlink")) {
            Files.copy(Path.of("/usr/bin", tool).toRealPath(), bin.resolve(tool), StandardCopyOption.COPY_ATTRIBUTES);
        }
        // Reached through a symbolic link, as /usr/bin/berth.
        Files.createSymbolicLink(bin.resolve("berth"), home.resolve("bin/berth"));
        noJdk = Map.of("PATH", bin.toString(), "HOME", dir.toString());
    }

    @Test
    void theTarballServesOnItsBundledRuntimeWithoutAJdkAndStopsOnSigterm() throws Exception {
        assertThat(home.resolve("LICENSE")).hasSameTextualContentAs(Path.of("LICENSE"));
        assertThat(home.resolve("NOTICE")).exists();
        assertThat(home.resolve("licenses/Apache-2.0")).exists();
        assertThat(home.resolve("runtime/legal/java.base")).isDirectory();

        Result printed = run(List.of(dir.resolve("bin/berth").toString(), "version"), dir, noJdk);
        assertThat(printed.exitCode()).as(printed.output()).isZero();
        // Built from files without .git: the commit is unknown.
        assertThat(printed.output()).isEqualTo("berth " + version + " (commit unknown)\n");

        Path config = dir.resolve("config.yml");
        Files.writeString(config, "version: 0.1\nhttp:\n  addr: 127.0.0.1:0\nstorage:\n  filesystem:\n    rootdirectory: "
                + dir.resolve("data") + "\n");
        try (ServerProcess server = served(noJdk, "serve", config.toString())) {
            assertThat(server.output()).anyMatch(l -> l.contains("listening on") && l.contains("berth " + version + " (commit unknown)"));
            // The launcher's shell became the JVM: the bundled one, mapping the archive made at package time.
            long pid = server.pid();
            assertThat(Path.of("/proc/" + pid + "/exe").toRealPath()).isEqualTo(home.resolve("runtime/bin/java").toRealPath());
            assertThat(Files.readString(Path.of("/proc/" + pid + "/maps"))).contains(home.resolve("lib/berth.jsa").toString());

            pushAndPullABlob(HttpClient.newHttpClient(), "http://127.0.0.1:" + server.port());
            assertThat(server.terminate(30, TimeUnit.SECONDS)).as(String.join("\n", server.output())).isZero();
        }
    }

    /** The modules jlink keeps are enough for what jdeps cannot see: TLS with EC keys, the S3 SDK, Lettuce. */
    @Test
    void theBundledRuntimeServesHttpsOverS3WithARedisCache() throws Exception {
        TestCertificates ca = TestCertificates.authority(dir.resolve("tls"), "EC", "packaged CA");
        TestCertificates.Issued certificate = ca.server(TestCertificates.KeyForm.PKCS8);
        S3Proxy s3 = S3Proxy.shared();
        Map<String, String> environment = new HashMap<>(noJdk);
        environment.putAll(s3.environment(s3.createBucket("packaged")));
        environment.putAll(Map.of("REGISTRY_HTTP_ADDR", "127.0.0.1:0", "REGISTRY_HTTP_SECRET", "packaged-secret",
                "REGISTRY_HTTP_TLS_CERTIFICATE", certificate.certificateFile().toString(),
                "REGISTRY_HTTP_TLS_KEY", certificate.keyFile().toString(),
                "REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", "redis", "REGISTRY_REDIS_ADDR", RedisServer.shared().addr(),
                "REGISTRY_REDIS_DB", String.valueOf(REDIS_DB),
                // Blobs come through Berth, read with the S3 SDK, instead of by a redirect to the bucket.
                "REGISTRY_STORAGE_REDIRECT_DISABLE", "true"));
        try (ServerProcess server = served(environment, "serve")) {
            assertThat(server.output()).anyMatch(l -> l.contains("listening on") && l.contains("s3 storage") && l.contains("HTTPS")
                    && l.contains("descriptor cache redis"));
            HttpClient client = HttpClient.newBuilder().sslContext(ca.clientContext(null)).build();
            pushAndPullABlob(client, "https://127.0.0.1:" + server.port());
            assertThat(server.output()).noneMatch(l -> l.contains("unavailable") || l.contains("Exception"));
            assertThat(server.terminate(30, TimeUnit.SECONDS)).as(String.join("\n", server.output())).isZero();
        }
    }

    @Test
    void theDebHoldsTheTreeAHardenedUnitADefaultConfigAndItsMaintainerScriptsWithoutAJdkDependency() throws Exception {
        Path deb = dist.resolve("berth_" + version.replace('-', '~') + "_" + arch + ".deb");
        Result info = run(List.of("dpkg-deb", "-I", deb.toString()), dir, null);
        assertThat(info.exitCode()).as(info.output()).isZero();
        assertThat(info.output()).contains("Package: berth", "Architecture: " + arch, "Version: " + version.replace('-', '~'));
        String depends = info.output().lines().filter(l -> l.strip().startsWith("Depends:")).findFirst().orElseThrow();
        assertThat(depends.toLowerCase()).doesNotContain("java", "jdk", "jre");

        Result contents = run(List.of("dpkg-deb", "-c", deb.toString()), dir, null);
        assertThat(contents.output()).contains("./opt/berth/bin/berth", "./opt/berth/runtime/bin/java", "./opt/berth/lib/berth.jsa",
                "./usr/bin/berth -> /opt/berth/bin/berth", "./etc/berth/config.yml", "./lib/systemd/system/berth.service");

        Path root = dir.resolve("deb");
        assertThat(run(List.of("dpkg-deb", "-x", deb.toString(), root.toString()), dir, null).exitCode()).isZero();
        Path control = dir.resolve("control");
        assertThat(run(List.of("dpkg-deb", "-e", deb.toString(), control.toString()), dir, null).exitCode()).isZero();
        assertThat(Files.readString(control.resolve("conffiles"))).isEqualTo("/etc/berth/config.yml\n");
        for (String script : List.of("postinst", "prerm", "postrm")) {
            assertThat(Files.isExecutable(control.resolve(script))).as(script).isTrue();
            assertThat(run(List.of("sh", "-n", control.resolve(script).toString()), dir, null).exitCode()).as(script).isZero();
        }
        assertThat(Files.readString(control.resolve("postinst"))).contains("useradd --system", "install -d -o berth -g berth",
                "deb-systemd-helper enable berth.service", "deb-systemd-invoke");
        assertThat(Files.readString(control.resolve("prerm"))).contains("deb-systemd-invoke stop berth.service");
        // Purge keeps the images and the user unless asked.
        assertThat(Files.readString(control.resolve("postrm"))).contains("if [ \"${BERTH_PURGE_DATA:-}\" = yes ]; then");

        String unit = Files.readString(root.resolve("lib/systemd/system/berth.service"));
        assertThat(unit.lines()).contains("User=berth", "Restart=on-failure", "ExecStart=/opt/berth/bin/berth serve /etc/berth/config.yml",
                "ProtectSystem=strict", "ReadWritePaths=/var/lib/berth", "NoNewPrivileges=yes", "ProtectHome=yes", "PrivateTmp=yes");
        Duration stopTimeout = Duration.ofSeconds(Long.parseLong(unit.lines().filter(l -> l.startsWith("TimeoutStopSec="))
                .findFirst().orElseThrow().replaceAll("\\D", "")));
        assertThat(stopTimeout).isGreaterThan(Config.load(null, Map.of()).http().drainTimeout());
        if (Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
            // Pointed at the unpacked tree, which is where verify looks for the program it starts.
            Path verified = dir.resolve("berth.service");
            Files.writeString(verified, unit.replace("/opt/berth/", root.resolve("opt/berth") + "/"));
            Result verify = run(List.of("systemd-analyze", "verify", verified.toString()), dir, null);
            assertThat(verify.exitCode()).as(verify.output()).isZero();
            assertThat(verify.output()).doesNotContain("berth.service");
        }

        // The default configuration: valid, storage under /var/lib/berth, on port 5000 of every interface.
        Result checked = run(List.of(root.resolve("opt/berth/bin/berth").toString(), "config", "check",
                root.resolve("etc/berth/config.yml").toString()), dir, Map.of("PATH", "/usr/bin:/bin"));
        assertThat(checked.exitCode()).as(checked.output()).isZero();
        assertThat(checked.output()).contains("addr: :5000", "rootdirectory: /var/lib/berth");
    }

    private static void pushAndPullABlob(HttpClient client, String origin) throws Exception {
        byte[] blob = "a layer, pushed to the packaged registry".getBytes(StandardCharsets.UTF_8);
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
        String base = origin + "/v2/packaged/blobs/";
        HttpResponse<String> pushed = client.send(HttpRequest.newBuilder(URI.create(base + "uploads/?digest=" + digest))
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
        HttpResponse<byte[]> pulled = client.send(HttpRequest.newBuilder(URI.create(base + digest)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(blob);
    }

    /** The packaged {@code berth} started through its link in {@code dir}, with only {@code environment}, once it listens. */
    private static ServerProcess served(Map<String, String> environment, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(dir.resolve("bin/berth").toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        return ServerProcess.start(builder);
    }

    /** How a command ended: its exit code and its output and errors together. */
    private record Result(int exitCode, String output) {}

    private static Result run(List<String> command, Path directory, Map<String, String> environment) throws Exception {
        return run(command, directory, environment, 2);
    }

    /** Runs a command to its end within {@code minutes}; {@code environment}, when given, is all it sees. */
    private static Result run(List<String> command, Path directory, Map<String, String> environment, int minutes) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).directory(directory.toFile()).redirectErrorStream(true);
        if (environment != null) {
            builder.environment().clear();
            builder.environment().putAll(environment);
        }
        Process process = builder.start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try (var in = process.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
        if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in " + minutes + " minutes");
        }
        return new Result(process.exitValue(), output.get());
    }
}
