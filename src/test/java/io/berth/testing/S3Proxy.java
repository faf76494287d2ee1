package io.berth.testing;

import io.berth.storage.driver.s3.S3Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for tests: s3proxy with its in-memory ("transient") backend, in a JVM of its own
 * on a free loopback port. (Its filesystem backends are slower and show a PUT's temporary file in
 * listings while it is written; {@code -Dberth.s3proxy.provider=filesystem-nio2} picks one anyway.) s3proxy cannot share the tests' classpath (its Jetty 11 has the
 * artifact ids of Berth's Jetty 12), so its own classpath is resolved from
 * {@code scripts/s3proxy/pom.xml} with Maven on first use and kept in {@code target/}. One server
 * serves every test of a test JVM; each test class takes a bucket of its own. It is stopped when the
 * JVM exits, and dies with it even when the JVM is killed: a shell holds it and ends it when its
 * standard input, a pipe from this JVM, closes.
 */
public final class S3Proxy {

    public static final String IDENTITY = "berth-test";
    public static final String CREDENTIAL = "berth-test-credential";
    public static final String REGION = "us-east-1";

    private static final String MAIN = "org.gaul.s3proxy.Main";
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static S3Proxy shared;

    private final Process process;
    private final Path home;
    private final URI endpoint;
    private final S3Client client;

    private S3Proxy(Process process, Path home, URI endpoint) {
        this.process = process;
        this.home = home;
        this.endpoint = endpoint;
        this.client = S3Client.builder()
                .region(Region.of(REGION))
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, CREDENTIAL)))
                .httpClientBuilder(software.amazon.awssdk.http.apache.ApacheHttpClient.builder())
                // s3proxy refuses the x-amz- headers of the newer checksums.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    /** The server of this test JVM, started on first use. */
    public static synchronized S3Proxy shared() {
        if (shared == null) {
            try {
                shared = start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            S3Proxy server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "s3proxy-stop"));
        }
        return shared;
    }

    public URI endpoint() {
        return endpoint;
    }

    /** A new, empty bucket whose name starts with {@code hint}. */
    public String createBucket(String hint) {
        String clean = hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        String name = (clean.length() > 40 ? clean.substring(0, 40) : clean) + "-" + BUCKETS.incrementAndGet();
        client.createBucket(b -> b.bucket(name));
        return name;
    }

    /** Driver settings for a bucket of this server: path-style addressing, its credentials, Distribution's defaults. */
    public S3Settings settings(String bucket) {
        return S3Settings.of(REGION, endpoint, bucket, IDENTITY, CREDENTIAL).withPathStyle(true);
    }

    /** The {@code REGISTRY_STORAGE_S3_*} environment that points a Berth at a bucket of this server. */
    public java.util.Map<String, String> environment(String bucket) {
        return java.util.Map.of(
                "REGISTRY_STORAGE", "s3",
                "REGISTRY_STORAGE_S3_REGION", REGION,
                "REGISTRY_STORAGE_S3_REGIONENDPOINT", endpoint.toString(),
                "REGISTRY_STORAGE_S3_BUCKET", bucket,
                "REGISTRY_STORAGE_S3_ACCESSKEY", IDENTITY,
                "REGISTRY_STORAGE_S3_SECRETKEY", CREDENTIAL,
                "REGISTRY_STORAGE_S3_FORCEPATHSTYLE", "true");
    }

    /** Empties a bucket, unfinished uploads included: the server keeps everything in memory. */
    public void empty(String bucket) {
        for (var page : client.listObjectsV2Paginator(l -> l.bucket(bucket))) {
            for (var object : page.contents()) {
                client.deleteObject(d -> d.bucket(bucket).key(object.key()));
            }
        }
        for (var upload : client.listMultipartUploads(l -> l.bucket(bucket)).uploads()) {
            client.abortMultipartUpload(a -> a.bucket(bucket).key(upload.key()).uploadId(upload.uploadId()));
        }
    }

    /** A client of this server, for tests that look at the bucket directly. */
    public S3Client client() {
        return client;
    }

    private static S3Proxy start() throws IOException, InterruptedException {
        String classpath = classpath();
        Path home = Files.createTempDirectory("berth-s3proxy");
        Files.createDirectories(home.resolve("data"));
        Files.writeString(home.resolve("logback.xml"), """
                <configuration>
                  <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
                  </appender>
                  <root level="WARN"><appender-ref ref="out"/></root>
                </configuration>
                """);
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            Files.writeString(home.resolve("s3proxy.properties"), String.join("\n",
                    "s3proxy.endpoint=" + endpoint,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + IDENTITY,
                    "s3proxy.credential=" + CREDENTIAL,
                    "jclouds.provider=" + System.getProperty("berth.s3proxy.provider", "transient"),
                    "jclouds.filesystem.basedir=" + home.resolve("data"),
                    "jclouds.identity=" + IDENTITY,
                    "jclouds.credential=" + CREDENTIAL,
                    ""));
            Process process = launch(classpath, home);
            if (awaitPort(process, port)) {
                return new S3Proxy(process, home, endpoint);
            }
            stop(process);
            last = new IOException("s3proxy did not start on port " + port + "; its log:\n" + Files.readString(home.resolve("s3proxy.log")));
        }
        throw last;
    }

    /**
     * {@code sh} starts the server in the background and waits for its own standard input to end, then
     * ends the server: this JVM holds that pipe, and the system closes it however this JVM ends.
     */
    private static Process launch(String classpath, Path home) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of("sh", "-c",
                "\"$@\" </dev/null & child=$!; cat >/dev/null; kill $child 2>/dev/null; wait $child", "s3proxy-holder",
                java, "-Xmx1g", "-XX:+UseSerialGC", "-Dlogback.configurationFile=" + home.resolve("logback.xml"),
                "-cp", classpath, MAIN, "--properties", home.resolve("s3proxy.properties").toString()));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("s3proxy.log").toFile())
                .start();
    }

    private static boolean awaitPort(Process process, int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Stops the server: closing the holder's input ends it; what is left after a while is killed by PID. */
    private void stop() {
        client.close();
        stop(process);
        deleteTree(home);
    }

    private static void stop(Process process) {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder: the system cleans it up eventually
        }
    }

    /**
     * s3proxy's classpath, resolved by Maven into {@code target/s3proxy.classpath} the first time. The
     * Maven that runs the build is passed in as {@code maven.home}; without it, {@code mvn} on the PATH.
     */
    private static synchronized String classpath() throws IOException, InterruptedException {
        Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        Path file = base.resolve("target/s3proxy.classpath");
        Path pom = base.resolve("scripts/s3proxy/pom.xml");
        if (!Files.isRegularFile(file) || Files.getLastModifiedTime(file).compareTo(Files.getLastModifiedTime(pom)) < 0) {
            String mavenHome = System.getProperty("maven.home", "");
            String mvn = mavenHome.isEmpty() ? "mvn" : Path.of(mavenHome, "bin", "mvn").toString();
            Path log = Files.createTempFile("berth-s3proxy-resolve", ".log");
            ProcessBuilder builder = new ProcessBuilder(mvn, "-B", "-q", "-f", pom.toString(),
                    "dependency:build-classpath", "-Dmdep.outputFile=" + file)
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Process resolve = builder.start();
            if (!resolve.waitFor(10, TimeUnit.MINUTES) || resolve.exitValue() != 0) {
                resolve.destroyForcibly();
                throw new IOException("could not resolve s3proxy with " + mvn + ":\n" + Files.readString(log));
            }
            Files.deleteIfExists(log);
        }
        String classpath = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (classpath.isEmpty()) {
            throw new IOException(file + " is empty");
        }
        return classpath;
    }
}
