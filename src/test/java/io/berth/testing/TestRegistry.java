package io.berth.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.Berth;
import io.berth.auth.htpasswd.Htpasswd;
import io.berth.config.Config;
import io.berth.registry.Digest;
import io.berth.storage.cache.CacheStats;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.filesystem.FilesystemDriver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/** A real Berth server on an ephemeral loopback port, with a real HTTP client pointed at it. */
public final class TestRegistry implements AutoCloseable {

    public static final String SECRET = "test-secret-for-upload-state";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final Map<String, String> environment;
    private final Clock clock;
    private final Function<Path, StorageDriver> drivers;
    private final Path configFile;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Berth berth;

    private TestRegistry(Path root, Map<String, String> environment, Clock clock, Function<Path, StorageDriver> drivers,
            Path configFile) {
        this.root = root;
        this.environment = environment;
        this.clock = clock;
        this.drivers = drivers;
        this.configFile = configFile;
    }

    /** A registry over a filesystem root, with deletes enabled. */
    public static TestRegistry start(Path root) throws Exception {
        return builder(root).start();
    }

    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** Options of a test registry. */
    public static final class Builder {
        private final Path root;
        private final Map<String, String> environment = new HashMap<>();
        private Clock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        private Function<Path, StorageDriver> drivers = FilesystemDriver::new;
        private Path configFile;

        private Builder(Path root) {
            this.root = root;
            environment.put("REGISTRY_HTTP_ADDR", "127.0.0.1:0");
            environment.put("REGISTRY_HTTP_SECRET", SECRET);
            environment.put("REGISTRY_STORAGE_DELETE_ENABLED", "true");
            environment.put("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", root.toString());
        }

        public Builder env(String key, String value) {
            environment.put(key, value);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder driver(Function<Path, StorageDriver> drivers) {
            this.drivers = drivers;
            return this;
        }

        /**
         * Storage in a bucket of an S3 server under {@code rootDirectory} instead of the filesystem
         * root, configured as an operator would: {@code REGISTRY_STORAGE=s3} and its variables.
         */
        public Builder s3(S3Proxy server, String bucket, String rootDirectory) {
            environment.remove("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY");
            environment.putAll(server.environment(bucket));
            environment.put("REGISTRY_STORAGE_S3_ROOTDIRECTORY", rootDirectory);
            drivers = null;
            return this;
        }

        /** A config.yml read under the environment, as {@code berth serve config.yml} does. */
        public Builder config(Path file) {
            this.configFile = file;
            return this;
        }

        public TestRegistry start() throws Exception {
            TestRegistry registry = new TestRegistry(root, Map.copyOf(environment), clock, drivers, configFile);
            registry.boot();
            return registry;
        }
    }

    private void boot() throws Exception {
        Config config = Config.load(configFile, environment);
        berth = drivers == null ? Berth.start(config, clock) : Berth.start(config, clock, drivers.apply(root));
    }

    /** Stops the server and starts a fresh one over the same storage, as a process restart would. */
    public void restart() throws Exception {
        berth.close();
        boot();
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + berth.port()).resolve(pathAndQuery);
    }

    public int port() {
        return berth.port();
    }

    /** The debug server's port; the test must have set {@code REGISTRY_HTTP_DEBUG_ADDR}. */
    public int debugPort() {
        return berth.debugPort();
    }

    /** A GET on the debug server. */
    public HttpResponse<String> debugGet(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + berth.debugPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The descriptor cache's counters; fails when the registry runs without a cache. */
    public CacheStats cacheStats() {
        return berth.cacheStats().stream().findFirst().orElseThrow(() -> new AssertionError("no descriptor cache configured"));
    }

    /** The htpasswd file the server checks Basic credentials against, or null without {@code auth.htpasswd}. */
    public Htpasswd htpasswd() {
        return berth.htpasswd();
    }

    /** Sends a request; {@code headers} alternate names and values. */
    public HttpResponse<byte[]> send(String method, String pathAndQuery, byte[] body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    public HttpResponse<byte[]> get(String pathAndQuery, String... headers) throws IOException, InterruptedException {
        return send("GET", pathAndQuery, null, headers);
    }

    public HttpResponse<byte[]> head(String pathAndQuery) throws IOException, InterruptedException {
        return send("HEAD", pathAndQuery, null);
    }

    /** Pushes a blob in one POST and returns its digest. */
    public Digest push(String repository, byte[] content) throws IOException, InterruptedException {
        Digest digest = Digest.sha256(content);
        HttpResponse<byte[]> response = send("POST", "/v2/" + repository + "/blobs/uploads/?digest=" + digest, content,
                "Content-Type", "application/octet-stream");
        if (response.statusCode() != 201) {
            throw new AssertionError("push failed: " + response.statusCode() + " " + new String(response.body()));
        }
        return digest;
    }

    /** Starts an upload session and returns its Location. */
    public String startUpload(String repository) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = send("POST", "/v2/" + repository + "/blobs/uploads/", null);
        if (response.statusCode() != 202) {
            throw new AssertionError("upload start failed: " + response.statusCode() + " " + new String(response.body()));
        }
        return response.headers().firstValue("Location").orElseThrow();
    }

    /** The first error code of a response's JSON error envelope. */
    public static String errorCode(HttpResponse<byte[]> response) throws IOException {
        JsonNode tree = JSON.readTree(response.body());
        return tree.path("errors").path(0).path("code").asText();
    }

    /** Appends a query parameter to a Location that may already have a query. */
    public static String withQuery(String location, String parameter) {
        return location + (location.contains("?") ? "&" : "?") + parameter;
    }

    @Override
    public void close() throws Exception {
        berth.close();
    }
}
