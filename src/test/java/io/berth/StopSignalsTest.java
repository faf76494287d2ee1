package io.berth;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.testing.ServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code berth serve} whose parent ignores SIGINT, as a script's background job ({@code ./berth
 * serve &}) is started: it says so, SIGINT leaves it running, and SIGTERM still drains it to exit 0.
 */
class StopSignalsTest {

    @TempDir
    Path root;

    @Test
    void sigintIgnoredByTheParentIsReportedAndLeftIgnoredWhileSigtermStillDrains() throws Exception {
        try (ServerProcess server = ServerProcess.builder(root)
                .launcher("bash", "-c", "trap '' INT; exec \"$@\"", "berth")
                .start()) {
            assertThat(server.output()).as("the start-up output")
                    .anyMatch(l -> l.contains("SIGINT is ignored by the parent process") && l.contains("stop Berth with SIGTERM"))
                    .noneMatch(l -> l.contains("SIGTERM is ignored"));

            // An ignored signal is discarded when it is sent: once kill returns, it has had its (lack of) effect.
            assertThat(signal("INT", server.pid())).isZero();
            assertThat(get(server.port()).statusCode()).as("serving after SIGINT").isEqualTo(200);
            assertThat(server.isAlive()).isTrue();

            assertThat(server.terminate(30, TimeUnit.SECONDS)).as("exit code after SIGTERM; output %s", server.output()).isZero();
            assertThat(server.output()).anyMatch(l -> l.contains("SIGTERM: stopping")).noneMatch(l -> l.contains("SIGINT:"));
        }
    }

    private static int signal(String name, long pid) throws Exception {
        return new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor();
    }

    private static HttpResponse<String> get(int port) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/")).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }
}
