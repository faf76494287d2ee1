package io.berth.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.auth.token.TestTokenServer;
import io.berth.testing.OciLayout;
import io.berth.testing.Skopeo;
import io.berth.testing.TestRegistry;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients against an authenticating Berth: skopeo with {@code --creds} against htpasswd, the
 * built-in token server and an external token server started by the test; podman logging in and
 * pushing. Every registry, and the clients' credentials, live in the test's folders.
 */
class AuthClientsTest {

    private static final String USER = "alice";
    private static final String PASSWORD = "wonderland";
    private static final String CREDS = USER + ":" + PASSWORD;

    @TempDir
    static Path dir;
    static TestTokenServer issuer;
    static TestRegistry htpasswd;
    static TestRegistry tokenServer;
    static TestRegistry external;
    static OciLayout source;
    static OciLayout.Image image;
    static final Skopeo skopeo = new Skopeo();

    @BeforeAll
    static void start() throws Exception {
        Path users = SignIns.htpasswdFile(dir.resolve("htpasswd"), USER, PASSWORD);
        // Clients judge a token's age by its issued_at: the registries keep the real time.
        htpasswd = TestRegistry.builder(dir.resolve("htpasswd-root")).clock(Clock.systemUTC())
                .env("REGISTRY_AUTH_HTPASSWD_PATH", users.toString()).start();
        tokenServer = TestRegistry.builder(dir.resolve("tokenserver-root")).clock(Clock.systemUTC())
                .env("REGISTRY_AUTH_HTPASSWD_PATH", users.toString())
                .env("REGISTRY_AUTH_TOKENSERVER_ENABLED", "true").start();
        issuer = TestTokenServer.start(dir.resolve("issuer"), "registry.test", "test-issuer", Map.of(USER, PASSWORD));
        external = TestRegistry.builder(dir.resolve("external-root")).clock(Clock.systemUTC())
                .env("REGISTRY_AUTH_TOKEN_REALM", issuer.realm())
                .env("REGISTRY_AUTH_TOKEN_SERVICE", "registry.test")
                .env("REGISTRY_AUTH_TOKEN_ISSUER", "test-issuer")
                .env("REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE", issuer.bundle().toString()).start();
        source = OciLayout.create(dir.resolve("source"));
        image = source.addImage("1.0", 2, 12);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {htpasswd, tokenServer, external, issuer}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void skopeoCopiesInAndOutWithCredsAgainstHtpasswd() throws Exception {
        assertRoundTrip(htpasswd, "basic");
    }

    @Test
    void skopeoCopiesInAndOutWithCredsAgainstTheBuiltInTokenServer() throws Exception {
        assertRoundTrip(tokenServer, "builtin");
    }

    @Test
    void skopeoCopiesInAndOutWithCredsAgainstAnExternalTokenServer() throws Exception {
        assertRoundTrip(external, "external");
    }

    @Test
    void skopeoWithoutCredentialsIsRefusedPushing() throws Exception {
        Path noCredentials = Files.writeString(dir.resolve("empty-auth.json"), "{}");
        for (TestRegistry registry : List.of(htpasswd, tokenServer, external)) {
            String destination = docker(registry, "team-a/anonymous:1.0");
            assertThatThrownBy(() -> skopeo.copy("oci:" + source.dir() + ":1.0", destination, "--dest-authfile", noCredentials.toString()))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("skopeo exited with")
                    .message().containsAnyOf("unauthorized", "authentication required", "401");
            HttpResponse<byte[]> tags = authenticated(registry, "/v2/team-a/anonymous/tags/list");
            assertThat(tags.statusCode()).as("nothing was pushed to %s", destination).isEqualTo(404);
        }
    }

    @Test
    void podmanLogsInAndPushesToTheBuiltInTokenServer() throws Exception {
        assertPodmanPushes(tokenServer, "builtin");
    }

    @Test
    void podmanLogsInAndPushesToHtpasswd() throws Exception {
        assertPodmanPushes(htpasswd, "basic");
    }

    /** skopeo pushes the image with --dest-creds and pulls it back with --src-creds, byte for byte. */
    private static void assertRoundTrip(TestRegistry registry, String name) throws Exception {
        String reference = docker(registry, "team-a/" + name + ":1.0");
        skopeo.copy("oci:" + source.dir() + ":1.0", reference, "--dest-creds", CREDS);
        Path pulled = dir.resolve("pulled-" + name);
        skopeo.copy(reference, "oci:" + pulled + ":1.0", "--src-creds", CREDS);
        Map<String, byte[]> original = OciLayout.blobs(source.dir());
        Map<String, byte[]> back = OciLayout.blobs(pulled);
        assertThat(back).containsOnlyKeys(original.keySet());
        original.forEach((digest, bytes) -> assertThat(back.get(digest)).as(digest).isEqualTo(bytes));
        JsonNode index = SignIns.JSON.readTree(pulled.resolve("index.json").toFile());
        assertThat(index.path("manifests").path(0).path("digest").asText()).isEqualTo(image.digest());
    }

    /** podman logs in (a wrong password first), pushes an imported image, and skopeo inspects it. */
    private static void assertPodmanPushes(TestRegistry registry, String name) throws Exception {
        Path home = Files.createDirectories(dir.resolve("podman-" + name));
        Path authFile = home.resolve("auth.json");
        Path content = Files.createDirectories(home.resolve("content"));
        Files.writeString(content.resolve("hello.txt"), "hello from podman " + name + "\n");
        Path tar = home.resolve("layer.tar");
        run(home, List.of("tar", "-C", content.toString(), "-cf", tar.toString(), "hello.txt"));
        String local = "localhost/berth-test/" + name + ":1";
        podman(home, "import", tar.toString(), local);
        String host = "127.0.0.1:" + registry.port();

        assertThat(attempt(home, podmanCommand(home, "login", "--tls-verify=false", "--authfile", authFile.toString(),
                "-u", USER, "-p", "not-" + PASSWORD, host))).as("login with a wrong password").isNotEqualTo(0);
        String login = podman(home, "login", "--tls-verify=false", "--authfile", authFile.toString(), "-u", USER, "-p", PASSWORD, host);
        assertThat(login).contains("Login Succeeded");
        assertThat(Files.readString(authFile)).contains(host);
        podman(home, "push", "--tls-verify=false", "--authfile", authFile.toString(), local, "docker://" + host + "/team-a/podman-" + name + ":1");

        String inspected = skopeo.inspect("docker://" + host + "/team-a/podman-" + name + ":1", "--creds", CREDS).stdout();
        JsonNode manifest = SignIns.JSON.readTree(inspected);
        assertThat(manifest.path("Layers")).hasSize(1);
        HttpResponse<byte[]> tags = authenticated(registry, "/v2/team-a/podman-" + name + "/tags/list");
        assertThat(tags.statusCode()).isEqualTo(200);
        assertThat(new String(tags.body(), StandardCharsets.UTF_8)).contains("\"1\"");
    }

    private static String docker(TestRegistry registry, String repositoryAndTag) {
        return "docker://127.0.0.1:" + registry.port() + "/" + repositoryAndTag;
    }

    /** A GET with alice's credentials, whichever scheme the registry speaks. */
    private static HttpResponse<byte[]> authenticated(TestRegistry registry, String path) throws Exception {
        String authorization = SignIns.basic(USER, PASSWORD);
        if (registry != htpasswd) {
            String repository = path.substring("/v2/".length(), path.indexOf("/tags/"));
            String token = registry == tokenServer ? tokenOfBerth(repository) : issuer.token(TestTokenServer.Signer.KID,
                    issuer.claims(USER, List.of(TestTokenServer.access("repository", repository, "pull"))));
            authorization = "Bearer " + token;
        }
        return registry.get(path, "Authorization", authorization);
    }

    private static String tokenOfBerth(String repository) throws Exception {
        HttpResponse<byte[]> issued = tokenServer.get("/auth/token?service=berth&scope=repository:" + repository + ":pull",
                "Authorization", SignIns.basic(USER, PASSWORD));
        assertThat(issued.statusCode()).isEqualTo(200);
        return SignIns.JSON.readTree(issued.body()).path("token").asText();
    }

    /** podman with every file of its own under {@code home}: storage, run state, configuration. */
    private static List<String> podmanCommand(Path home, String... arguments) {
        List<String> command = new ArrayList<>(List.of("podman", "--root", home.resolve("root").toString(),
                "--runroot", home.resolve("run").toString(), "--storage-driver", "vfs", "--events-backend", "none"));
        command.addAll(List.of(arguments));
        return command;
    }

    private static String podman(Path home, String... arguments) throws Exception {
        return run(home, podmanCommand(home, arguments));
    }

    /** Runs a command to its end (two minutes at most) and returns its output; fails with it on a non-zero exit. */
    private static String run(Path home, List<String> command) throws Exception {
        Path output = Files.createTempFile(home, "output", ".txt");
        int exit = attempt(home, command, output);
        String text = Files.readString(output);
        assertThat(exit).as("%s exited with %d:%n%s", String.join(" ", command), exit, text).isEqualTo(0);
        return text;
    }

    private static int attempt(Path home, List<String> command) throws Exception {
        return attempt(home, command, Files.createTempFile(home, "output", ".txt"));
    }

    private static int attempt(Path home, List<String> command, Path output) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // Its configuration and any credentials it would look for stay in the test's folder.
        builder.environment().put("HOME", home.toString());
        builder.environment().put("XDG_RUNTIME_DIR", Files.createDirectories(home.resolve("xdg")).toString());
        builder.environment().put("XDG_CONFIG_HOME", Files.createDirectories(home.resolve("config")).toString());
        builder.environment().put("REGISTRY_AUTH_FILE", home.resolve("auth.json").toString());
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", command) + " did not finish in 120 s: " + Files.readString(output));
        }
        return process.exitValue();
    }
}
