package io.berth.testing;

import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A real CNCF Distribution 2.8 ({@code docker-registry} from Debian) on a free loopback port, over a
 * folder of its own, optionally with htpasswd sign-in; its access log is kept in a file so that
 * tests can count the requests it served.
 */
public final class Distribution implements AutoCloseable {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final Path dir;
    private final int port;
    private final String authorization;
    private final Path log;
    private Process process;

    private Distribution(Path dir, int port, String authorization) {
        this.dir = dir;
        this.port = port;
        this.authorization = authorization;
        this.log = dir.resolve("registry.log");
    }

    /** An open Distribution. */
    public static Distribution start(Path dir) throws Exception {
        return start(dir, null, null);
    }

    /** A Distribution that signs {@code user} in with HTTP Basic against an htpasswd file ({@code htpasswd -Bbn}). */
    public static Distribution start(Path dir, String user, String password) throws Exception {
        Files.createDirectories(dir);
        String auth = "";
        String authorization = null;
        if (user != null) {
            Path users = htpasswd(dir.resolve("htpasswd"), user, password);
            auth = "auth:\n  htpasswd:\n    realm: basic-realm\n    path: " + users + "\n";
            authorization = "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.writeString(dir.resolve("config.yml"), "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: "
                + dir.resolve("root") + "\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:" + port + "\n" + auth);
        Distribution distribution = new Distribution(dir, port, authorization);
        distribution.boot();
        return distribution;
    }

    /** Writes an htpasswd file of one user with the real {@code htpasswd -Bbn} (bcrypt, cost 4 to be quick). */
    public static Path htpasswd(Path file, String user, String password) throws Exception {
        Process htpasswd = new ProcessBuilder("htpasswd", "-Bbn", "-C", "4", user, password)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Files.writeString(file, new String(htpasswd.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip() + "\n");
        if (htpasswd.waitFor() != 0) {
            throw new IllegalStateException("htpasswd failed");
        }
        return file;
    }

    /** Starts the process (again, after {@link #stop}) and waits until it answers. */
    public void boot() throws Exception {
        process = new ProcessBuilder("docker-registry", "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        Instant deadline = Instant.now().plusSeconds(20);
        while (true) {
            try {
                int status = CLIENT.send(HttpRequest.newBuilder(uri("/v2/")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 || status == 401) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("docker-registry did not come up:\n" + Files.readString(log));
            }
            process.waitFor(50, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops the process (the one this object started) and waits for it to end. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public URI uri(String path) {
        return URI.create(url() + path);
    }

    /**
     * How many GETs of this path the access log shows, once it shows {@code atLeast} or after 10 s:
     * Distribution logs a request just after its last byte, so a client may be done before the line is.
     */
    public long gets(String path, long atLeast) throws IOException, InterruptedException {
        Pattern line = Pattern.compile("\"GET " + Pattern.quote(path) + " HTTP/1\\.1\" 200 ");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            long count = Files.readAllLines(log).stream().filter(l -> line.matcher(l).find()).count();
            if (count >= atLeast || System.nanoTime() > deadline) {
                return count;
            }
            Thread.sleep(20);
        }
    }

    /** Pushes a blob in one request; returns its digest. */
    public Digest pushBlob(String repository, byte[] content) throws Exception {
        Digest digest = Digest.sha256(content);
        // Distribution 2.8 takes no single-request push: start an upload, then finish it with the whole body.
        HttpResponse<byte[]> started = send("POST", "/v2/" + repository + "/blobs/uploads/", new byte[0], "application/octet-stream");
        String location = started.headers().firstValue("Location").orElseThrow();
        URI finish = uri("/").resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + digest);
        HttpResponse<byte[]> response = send("PUT", finish.toString().substring(url().length()), content, "application/octet-stream");
        if (response.statusCode() != 201) {
            throw new IllegalStateException("push of a blob to Distribution: " + response.statusCode() + " " + new String(response.body()));
        }
        return digest;
    }

    /** Pushes an OCI image of the config and layers given, tagged; returns the manifest's bytes. */
    public byte[] pushImage(String repository, String tag, byte[] config, byte[]... layers) throws Exception {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.put("config", Images.descriptor(Images.OCI_CONFIG, pushBlob(repository, config), config.length));
        List<Object> layerList = new ArrayList<>();
        for (byte[] layer : layers) {
            layerList.add(Images.descriptor(Images.OCI_LAYER, pushBlob(repository, layer), layer.length));
        }
        manifest.put("layers", layerList);
        byte[] bytes = Images.json(manifest);
        HttpResponse<byte[]> response = send("PUT", "/v2/" + repository + "/manifests/" + tag, bytes, MediaTypes.OCI_MANIFEST);
        if (response.statusCode() != 201) {
            throw new IllegalStateException("push of a manifest to Distribution: " + response.statusCode() + " " + new String(response.body()));
        }
        return bytes;
    }

    private HttpResponse<byte[]> send(String method, String path, byte[] body, String contentType) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", contentType);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
