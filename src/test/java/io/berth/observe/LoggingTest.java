package io.berth.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.ServerProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logs of a real {@code berth serve}, read from its output: formats, fields, level and access lines. */
class LoggingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private ServerProcess serve(String logSection) throws Exception {
        Path config = dir.resolve("config.yml");
        Files.writeString(config, "version: 0.1\n" + logSection);
        return ServerProcess.builder(dir.resolve("root")).arguments(config.toString()).start();
    }

    private static HttpResponse<String> get(ServerProcess server, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /**
     * Waits until the server has printed a line containing {@code text}, then stops it and returns
     * all it printed. The access line of a request is written just after its response, so a test
     * that stopped the server at once could stop it in between.
     */
    private static List<String> outputOnceWritten(ServerProcess server, String text) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (server.output().stream().noneMatch(l -> l.contains(text)) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return server.outputAfterExit();
    }

    private static List<JsonNode> jsonLines(List<String> output) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output) {
            if (line.startsWith("{")) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    private static JsonNode accessLine(List<JsonNode> lines, String requestId) {
        return lines.stream()
                .filter(l -> l.path("logger").asText().equals(AccessLog.LOGGER) && l.path("request_id").asText().equals(requestId))
                .findFirst().orElseThrow(() -> new AssertionError("no access line for " + requestId + " in " + lines));
    }

    @Test
    void jsonFormatWritesOneObjectPerLineWithTheRequestFieldsAndConfiguredFieldsAtTopLevel() throws Exception {
        List<String> output;
        try (ServerProcess server = serve("""
                log:
                  formatter: json
                  fields:
                    service: registry
                    environment: test
                """)) {
            assertThat(get(server, "/v2/", "User-Agent", "observe test/1.0", "X-Request-Id", "trace-1").statusCode()).isEqualTo(200);
            assertThat(get(server, "/v2/app/blobs/sha256:" + "0".repeat(64), "X-Request-Id", "trace-2",
                    "User-Agent", "quote \" backslash \\ tab\tend").statusCode()).isEqualTo(404);
            output = outputOnceWritten(server, "trace-2");
        }
        List<JsonNode> lines = jsonLines(output);

        JsonNode listening = lines.stream().filter(l -> l.path("msg").asText().startsWith("listening on ")).findFirst().orElseThrow();
        assertThat(listening.path("level").asText()).isEqualTo("info");
        assertThat(listening.path("logger").asText()).isEqualTo("io.berth.Berth");
        assertThat(listening.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(listening.path("service").asText()).isEqualTo("registry");

        JsonNode base = accessLine(lines, "trace-1");
        assertThat(base.path("msg").asText()).isEqualTo("request");
        assertThat(base.path("level").asText()).isEqualTo("info");
        assertThat(base.path("method").asText()).isEqualTo("GET");
        assertThat(base.path("path").asText()).isEqualTo("/v2/");
        assertThat(base.path("status").isInt()).isTrue();
        assertThat(base.path("status").asInt()).isEqualTo(200);
        assertThat(base.path("bytes_in").asLong()).isZero();
        assertThat(base.path("bytes_out").asLong()).isEqualTo(2); // {}
        assertThat(base.path("duration_ms").isNumber()).isTrue();
        assertThat(base.path("duration_ms").asDouble()).isPositive();
        assertThat(base.path("remote_addr").asText()).isEqualTo("127.0.0.1");
        assertThat(base.path("user_agent").asText()).isEqualTo("observe test/1.0");
        assertThat(base.path("route").asText()).isEqualTo("base");
        assertThat(base.path("service").asText()).isEqualTo("registry");
        assertThat(base.path("environment").asText()).isEqualTo("test");

        JsonNode missing = accessLine(lines, "trace-2");
        assertThat(missing.path("status").asInt()).isEqualTo(404);
        assertThat(missing.path("route").asText()).isEqualTo("blob");
        assertThat(missing.path("bytes_out").asLong()).isPositive();
        assertThat(missing.path("user_agent").asText()).isEqualTo("quote \" backslash \\ tab\tend");
    }

    /**
     * A cache failure is logged by the storage layer while it serves a request: the line carries the
     * request's id (the X-Request-Id of its response) and route from the logging context, and the
     * access line still has each of them once. LineFormatTest covers the text format.
     */
    @Test
    void aWarningLoggedByStorageDuringARequestCarriesTheRequestIdAndRoute() throws Exception {
        int nothingListens;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nothingListens = socket.getLocalPort();
        }
        List<String> output;
        String id;
        try (ServerProcess server = ServerProcess.builder(dir.resolve("root"))
                .env("REGISTRY_LOG_FORMATTER", "json")
                .env("REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", "redis")
                .env("REGISTRY_REDIS_ADDR", "127.0.0.1:" + nothingListens)
                .start()) {
            HttpResponse<String> missing = get(server, "/v2/app/blobs/sha256:" + "0".repeat(64));
            assertThat(missing.statusCode()).isEqualTo(404);
            id = missing.headers().firstValue(RequestIds.HEADER).orElseThrow();
            output = outputOnceWritten(server, id);
        }
        String warning = output.stream().filter(l -> l.contains("descriptor cache (redis) unavailable")).findFirst()
                .orElseThrow(() -> new AssertionError("no cache warning in " + output));
        JsonNode line = JSON.readTree(warning);
        assertThat(line.path("level").asText()).isEqualTo("warn");
        assertThat(line.path("request_id").asText()).isEqualTo(id);
        assertThat(line.path("route").asText()).isEqualTo("blob");
        String access = output.stream().filter(l -> l.contains(id) && l.contains("\"msg\":\"request\"")).findFirst().orElseThrow();
        assertThat(access.split("\"request_id\":", -1)).as("request_id keys in %s", access).hasSize(2);
        assertThat(access.split("\"route\":", -1)).as("route keys in %s", access).hasSize(2);
    }

    @Test
    void logstashFormatterIsJson() throws Exception {
        List<String> output;
        try (ServerProcess server = serve("log:\n  formatter: logstash\n")) {
            get(server, "/v2/", "X-Request-Id", "trace-logstash");
            output = outputOnceWritten(server, "trace-logstash");
        }
        assertThat(accessLine(jsonLines(output), "trace-logstash").path("status").asInt()).isEqualTo(200);
    }

    @Test
    void textFormatWritesKeyValuePairsWithTheConfiguredFields() throws Exception {
        List<String> output;
        try (ServerProcess server = serve("""
                log:
                  formatter: text
                  fields:
                    service: registry
                """)) {
            get(server, "/v2/_catalog", "User-Agent", "observe test/1.0", "X-Request-Id", "trace-text");
            output = outputOnceWritten(server, "trace-text");
        }
        // Other lines of the request (the catalog's first indexing) carry its id too.
        String access = output.stream().filter(l -> l.contains("request_id=trace-text") && l.contains(" access - ")).findFirst()
                .orElseThrow();
        assertThat(access).matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+[-+Z][0-9:]* INFO  access - request .*")
                .contains(" method=GET ", " path=/v2/_catalog ", " status=200 ", " bytes_in=0 ",
                        " remote_addr=127.0.0.1 ", " user_agent=\"observe test/1.0\" ", " route=catalog ", " service=registry")
                .containsPattern(" bytes_out=[1-9][0-9]* ")
                .containsPattern(" duration_ms=[0-9]+\\.[0-9]{3} ");
        assertThat(output).anyMatch(l -> l.contains(" INFO  Berth - listening on ") && l.endsWith(" service=registry"));
    }

    @Test
    void disabledAccessLogWritesNoRequestLines() throws Exception {
        List<String> output;
        try (ServerProcess server = serve("log:\n  accesslog:\n    disabled: true\n")) {
            assertThat(get(server, "/v2/", "X-Request-Id", "trace-off").headers().firstValue("X-Request-Id")).hasValue("trace-off");
            output = server.outputAfterExit();
        }
        assertThat(output).anyMatch(l -> l.contains("listening on"));
        assertThat(output).noneMatch(l -> l.contains("trace-off") || l.contains("access - "));
    }

    @Test
    void levelDecidesWhichLinesAreWritten() throws Exception {
        List<String> atInfo;
        try (ServerProcess server = serve("log:\n  level: info\n")) {
            atInfo = server.outputAfterExit();
        }
        List<String> atDebug;
        try (ServerProcess server = serve("log:\n  level: debug\n")) {
            atDebug = server.outputAfterExit();
        }
        assertThat(atInfo).noneMatch(l -> l.contains("configuration in force"));
        assertThat(atDebug).anyMatch(l -> l.contains(" DEBUG Berth - configuration in force"));
        // Jetty's own debug chatter stays out even at debug.
        assertThat(atDebug).noneMatch(l -> l.contains(" DEBUG ") && !l.contains("Berth"));
    }
}
