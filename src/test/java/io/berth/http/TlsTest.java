package io.berth.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.Berth;
import io.berth.config.Config;
import io.berth.config.ConfigException;
import io.berth.registry.Digest;
import io.berth.testing.Cli;
import io.berth.testing.TestCertificates;
import io.berth.testing.TestCertificates.Issued;
import io.berth.testing.TestCertificates.KeyForm;
import io.berth.testing.TestRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS from PEM files, HTTP/2 by ALPN with HTTP/1.1 beside it, client certificates and the lowest TLS version. */
class TlsTest {

    @TempDir
    Path dir;

    private TestCertificates authority;
    private Issued server;

    @BeforeEach
    void certificates() throws Exception {
        authority = TestCertificates.authority(dir.resolve("pki"), "RSA", "Berth Test CA");
        server = authority.server(KeyForm.PKCS8);
    }

    @Test
    void http2IsNegotiatedOverTlsAndCarriesPushAndPull() throws Exception {
        try (TestRegistry registry = tls(server).start()) {
            HttpClient client = client(authority.clientContext(null), HttpClient.Version.HTTP_2, null);
            HttpResponse<byte[]> base = send(client, registry, "GET", "/v2/", null);
            assertThat(base.statusCode()).isEqualTo(200);
            assertThat(base.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(base.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");

            byte[] blob = new byte[3 * 1024 * 1024 + 17];
            new Random(5).nextBytes(blob);
            Digest digest = Digest.sha256(blob);
            HttpResponse<byte[]> push = send(client, registry, "POST", "/v2/tls/app/blobs/uploads/?digest=" + digest, blob);
            assertThat(push.statusCode()).as(new String(push.body(), StandardCharsets.UTF_8)).isEqualTo(201);
            assertThat(push.version()).isEqualTo(HttpClient.Version.HTTP_2);

            HttpResponse<byte[]> pull = send(client, registry, "GET", "/v2/tls/app/blobs/" + digest, null);
            assertThat(pull.statusCode()).isEqualTo(200);
            assertThat(pull.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(pull.body()).isEqualTo(blob);
        }
    }

    @Test
    void chunkedUploadWorksOverHttp2() throws Exception {
        try (TestRegistry registry = tls(server).start()) {
            HttpClient client = client(authority.clientContext(null), HttpClient.Version.HTTP_2, null);
            byte[] blob = new byte[2 * 1024 * 1024];
            new Random(6).nextBytes(blob);
            HttpResponse<byte[]> start = send(client, registry, "POST", "/v2/tls/chunks/blobs/uploads/", null);
            assertThat(start.statusCode()).isEqualTo(202);
            String location = start.headers().firstValue("Location").orElseThrow();
            int half = blob.length / 2;
            HttpResponse<byte[]> first = send(client, registry, "PATCH", location, java.util.Arrays.copyOfRange(blob, 0, half),
                    "Content-Range", "0-" + (half - 1));
            assertThat(first.statusCode()).isEqualTo(202);
            location = first.headers().firstValue("Location").orElseThrow();
            HttpResponse<byte[]> done = send(client, registry, "PUT",
                    TestRegistry.withQuery(location, "digest=" + Digest.sha256(blob)),
                    java.util.Arrays.copyOfRange(blob, half, blob.length), "Content-Range", half + "-" + (blob.length - 1));
            assertThat(done.statusCode()).as(new String(done.body(), StandardCharsets.UTF_8)).isEqualTo(201);
            assertThat(send(client, registry, "GET", "/v2/tls/chunks/blobs/" + Digest.sha256(blob), null).body()).isEqualTo(blob);
        }
    }

    @Test
    void http11ClientsAreStillServedOverTls() throws Exception {
        try (TestRegistry registry = tls(server).start()) {
            HttpClient client = client(authority.clientContext(null), HttpClient.Version.HTTP_1_1, null);
            HttpResponse<byte[]> base = send(client, registry, "GET", "/v2/", null);
            assertThat(base.statusCode()).isEqualTo(200);
            assertThat(base.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        }
    }

    @Test
    void http2DisabledLeavesHttp11OverTls() throws Exception {
        try (TestRegistry registry = tls(server).env("REGISTRY_HTTP_HTTP2_DISABLED", "true").start()) {
            HttpClient client = client(authority.clientContext(null), HttpClient.Version.HTTP_2, null);
            HttpResponse<byte[]> base = send(client, registry, "GET", "/v2/", null);
            assertThat(base.statusCode()).isEqualTo(200);
            assertThat(base.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        }
    }

    @Test
    void rsaAndEcKeysAreAcceptedInEveryUnencryptedPemForm() throws Exception {
        TestCertificates ec = TestCertificates.authority(dir.resolve("ec"), "EC", "Berth EC CA");
        Issued rsaTraditional = authority.server(KeyForm.TRADITIONAL);
        Issued ecTraditional = ec.server(KeyForm.TRADITIONAL);
        assertThat(Files.readString(rsaTraditional.keyFile())).contains("BEGIN RSA PRIVATE KEY");
        assertThat(Files.readString(ecTraditional.keyFile())).contains("BEGIN EC PRIVATE KEY");
        assertServes(authority, rsaTraditional);
        assertServes(ec, ecTraditional);
        assertServes(ec, ec.server(KeyForm.SEC1_WITHOUT_CURVE));
        assertServes(ec, ec.server(KeyForm.PKCS8));
    }

    private void assertServes(TestCertificates ca, Issued issued) throws Exception {
        try (TestRegistry registry = tls(issued).start()) {
            HttpResponse<byte[]> base = send(client(ca.clientContext(null), HttpClient.Version.HTTP_2, null), registry, "GET", "/v2/", null);
            assertThat(base.statusCode()).isEqualTo(200);
            assertThat(base.version()).isEqualTo(HttpClient.Version.HTTP_2);
        }
    }

    @Test
    void clientCasRequireAClientCertificateTheyIssued() throws Exception {
        TestCertificates stranger = TestCertificates.authority(dir.resolve("stranger"), "RSA", "Someone Else");
        try (TestRegistry registry = tls(server).env("REGISTRY_HTTP_TLS_CLIENTCAS", "[" + authority.caFile() + "]").start()) {
            HttpResponse<byte[]> trusted = send(client(authority.clientContext(authority.client("builder")), HttpClient.Version.HTTP_2, null),
                    registry, "GET", "/v2/", null);
            assertThat(trusted.statusCode()).isEqualTo(200);

            HttpClient anonymous = client(authority.clientContext(null), HttpClient.Version.HTTP_2, null);
            assertThatThrownBy(() -> send(anonymous, registry, "GET", "/v2/", null)).isInstanceOf(IOException.class);

            // Trusts the server's CA, so that only its own certificate, from another CA, is at fault.
            HttpClient impostor = client(authority.clientContext(stranger.client("intruder")), HttpClient.Version.HTTP_2, null);
            assertThatThrownBy(() -> send(impostor, registry, "GET", "/v2/", null)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void minimumTls13RefusesTls12Clients() throws Exception {
        SSLContext context = authority.clientContext(null);
        try (TestRegistry registry = tls(server).env("REGISTRY_HTTP_TLS_MINIMUMTLS", "tls1.3").start()) {
            HttpClient tls12 = client(context, HttpClient.Version.HTTP_2, "TLSv1.2");
            assertThatThrownBy(() -> send(tls12, registry, "GET", "/v2/", null)).isInstanceOf(IOException.class);
            HttpClient tls13 = client(context, HttpClient.Version.HTTP_2, "TLSv1.3");
            assertThat(send(tls13, registry, "GET", "/v2/", null).statusCode()).isEqualTo(200);
        }
        try (TestRegistry registry = tls(server).start()) {
            HttpClient tls12 = client(context, HttpClient.Version.HTTP_2, "TLSv1.2");
            HttpResponse<byte[]> base = send(tls12, registry, "GET", "/v2/", null);
            assertThat(base.statusCode()).isEqualTo(200);
            assertThat(base.version()).isEqualTo(HttpClient.Version.HTTP_2);
        }
    }

    @Test
    void aKeyThatCannotBeUsedIsAConfigurationErrorNamingTheKey() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.key"), "not a key at all\n");
        Path encrypted = Files.writeString(dir.resolve("encrypted.key"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n");
        Issued other = authority.server(KeyForm.PKCS8);
        Map<Path, String> cases = Map.of(
                garbage, "not a PEM file",
                encrypted, "encrypted",
                other.keyFile(), "does not belong to the certificate");
        for (var c : cases.entrySet()) {
            Map<String, String> env = tlsEnvironment(server.certificateFile(), c.getKey());
            assertThatThrownBy(() -> Berth.start(Config.load(null, env), Clock.systemUTC()).close())
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("http.tls.key")
                    .hasMessageContaining(c.getValue());
        }
        Map<String, String> badCertificate = tlsEnvironment(garbage, server.keyFile());
        assertThatThrownBy(() -> Berth.start(Config.load(null, badCertificate), Clock.systemUTC()).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.tls.certificate");
    }

    @Test
    void serveRefusesAMissingOrUnusableKeyWithExitCode2() throws Exception {
        Cli.Result missing = Cli.run(tlsEnvironment(server.certificateFile(), dir.resolve("absent.key")), "serve");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.stderr()).contains("http.tls.key", "absent.key");

        Path garbage = Files.writeString(dir.resolve("garbage.key"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        Cli.Result unusable = Cli.run(tlsEnvironment(server.certificateFile(), garbage), "serve");
        assertThat(unusable.exitCode()).isEqualTo(2);
        assertThat(unusable.stderr()).contains("http.tls.key", "no private key");
    }

    @Test
    void curlNegotiatesHttp2() throws Exception {
        try (TestRegistry registry = tls(server).start()) {
            Process curl = new ProcessBuilder("curl", "--silent", "--show-error", "--http2", "--cacert", authority.caFile().toString(),
                    "--output", "/dev/null", "--write-out", "%{http_code} %{http_version}",
                    "https://localhost:" + registry.port() + "/v2/").redirectErrorStream(true).start();
            assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(curl.exitValue()).as(out).isZero();
            assertThat(out).isEqualTo("200 2");
        }
    }

    private Map<String, String> tlsEnvironment(Path certificate, Path key) {
        Map<String, String> env = new HashMap<>();
        env.put("REGISTRY_HTTP_ADDR", "127.0.0.1:0");
        env.put("REGISTRY_HTTP_SECRET", TestRegistry.SECRET);
        env.put("REGISTRY_STORAGE", "inmemory");
        env.put("REGISTRY_HTTP_TLS_CERTIFICATE", certificate.toString());
        env.put("REGISTRY_HTTP_TLS_KEY", key.toString());
        return env;
    }

    private TestRegistry.Builder tls(Issued issued) {
        return TestRegistry.builder(dir.resolve("root"))
                .env("REGISTRY_HTTP_TLS_CERTIFICATE", issued.certificateFile().toString())
                .env("REGISTRY_HTTP_TLS_KEY", issued.keyFile().toString());
    }

    private static HttpClient client(SSLContext context, HttpClient.Version version, String onlyProtocol) {
        HttpClient.Builder builder = HttpClient.newBuilder().sslContext(context).version(version);
        if (onlyProtocol != null) {
            SSLParameters parameters = context.getDefaultSSLParameters();
            parameters.setProtocols(new String[] {onlyProtocol});
            builder.sslParameters(parameters);
        }
        return builder.build();
    }

    private static HttpResponse<byte[]> send(HttpClient client, TestRegistry registry, String method, String pathAndQuery, byte[] body,
            String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + registry.port()).resolve(pathAndQuery))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
