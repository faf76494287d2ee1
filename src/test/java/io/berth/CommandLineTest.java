package io.berth;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.observe.BuildInfo;
import io.berth.testing.Cli;
import io.berth.testing.ServerProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

class CommandLineTest {

    @TempDir
    Path dir;

    @Test
    void versionCommandAndFlagPrintTheVersion() throws Exception {
        Cli.Result command = Cli.run(Map.of(), "version");
        Cli.Result flag = Cli.run(Map.of(), "--version");
        assertThat(command.exitCode()).isZero();
        // The build runs in a git clone: the commit is known, "-dirty" when the tree had changes.
        assertThat(command.stdout()).matches("berth \\d+\\.\\d+\\.\\d+[^ ]* \\(commit [0-9a-f]{12}(-dirty)?\\)\n");
        assertThat(command.stdout()).contains(BuildInfo.current().toString());
        assertThat(flag.stdout()).isEqualTo(command.stdout());
    }

    @Test
    void everyCommandAnswersHelp() throws Exception {
        for (List<String> command : List.of(List.<String>of(), List.of("serve"), List.of("config"), List.of("config", "check"),
                List.of("version"), List.of("bench"), List.of("bench", "compare"), List.of("catalog"),
                List.of("catalog", "rebuild"), List.of("garbage-collect"))) {
            String[] arguments = java.util.stream.Stream.concat(command.stream(), java.util.stream.Stream.of("--help"))
                    .toArray(String[]::new);
            Cli.Result result = Cli.run(Map.of(), arguments);
            assertThat(result.exitCode()).as("berth %s --help", command).isZero();
            assertThat(result.stdout()).as("berth %s --help", command).contains("Usage: berth");
        }
    }

    @Test
    void configCheckPrintsTheEffectiveConfigurationWithSecretsMasked() throws Exception {
        Path file = dir.resolve("config.yml");
        Files.writeString(file, """
                version: 0.1
                http:
                  addr: 127.0.0.1:6000
                  secret: do-not-print-me
                storage:
                  filesystem:
                    rootdirectory: /srv/registry
                """);
        Cli.Result result = Cli.run(Map.of("REGISTRY_STORAGE_DELETE_ENABLED", "true"), "config", "check", file.toString());
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout()).doesNotContain("do-not-print-me");
        Map<String, Map<String, Object>> effective = new Yaml().load(result.stdout());
        assertThat(effective.get("http")).containsEntry("addr", "127.0.0.1:6000").containsEntry("secret", "********");
        assertThat(effective.get("storage")).containsEntry("filesystem", Map.of("rootdirectory", "/srv/registry"))
                .containsEntry("delete", Map.of("enabled", true));
    }

    @Test
    void configCheckRefusesABadFileNamingTheKeyAndLine() throws Exception {
        Path file = dir.resolve("config.yml");
        Files.writeString(file, "version: 0.1\nstorage:\n  inmemory:\n  delete:\n    enabeld: true\n");
        Cli.Result result = Cli.run(Map.of(), "config", "check", file.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).isEqualTo("berth: " + file + " line 5: storage.delete.enabeld: unknown configuration key;"
                + " did you mean storage.delete.enabled?\n");
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void configFileIsFoundThroughBerthConfigOrRegistryConfigurationPath() throws Exception {
        Path file = dir.resolve("config.yml");
        Files.writeString(file, "version: 0.1\nhttp:\n  addr: 127.0.0.1:6123\nstorage:\n  inmemory:\n");
        assertThat(Cli.run(Map.of("BERTH_CONFIG", file.toString()), "config", "check").stdout()).contains("127.0.0.1:6123");
        assertThat(Cli.run(Map.of("REGISTRY_CONFIGURATION_PATH", file.toString()), "config", "check").stdout())
                .contains("127.0.0.1:6123");
    }

    @Test
    void serveRefusesAnInvalidConfigurationWithExitCode2() throws Exception {
        Path file = dir.resolve("config.yml");
        Files.writeString(file, "version: 0.1\nhttp:\n  addr: nowhere\n");
        Cli.Result result = Cli.run(Map.of(), "serve", file.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains(file + " line 3: http.addr: expected host:port or :port, got \"nowhere\"");
    }

    @Test
    void serveOnAnAddressInUseSaysSoInOneLineWithExitCode1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Cli.Result result = Cli.run(Map.of("REGISTRY_HTTP_ADDR", "127.0.0.1:" + taken.getLocalPort(), "REGISTRY_STORAGE", "inmemory"),
                    "serve");
            assertThat(result.exitCode()).as(result.stderr()).isEqualTo(1);
            assertThat(result.stderr()).contains("berth: cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (http.addr)")
                    .doesNotContain("Exception", "\tat ");
        }
    }

    @Test
    void distributionsSampleConfigurationStartsBerthUnchanged() throws Exception {
        Path file = dir.resolve("config.yml");
        try (var sample = getClass().getResourceAsStream("/distribution-config.yml")) {
            Files.write(file, sample.readAllBytes());
        }
        // Only where it listens and stores differ, through the environment, as an operator's overrides would.
        try (ServerProcess server = ServerProcess.builder(dir.resolve("root")).arguments(file.toString()).start()) {
            HttpResponse<String> base = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v2/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(base.statusCode()).isEqualTo(200);
            assertThat(base.headers().allValues("X-Content-Type-Options")).containsExactly("nosniff");
        }
    }
}
