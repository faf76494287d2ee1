package io.berth.invariants;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.ServerProcess;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bodies are streamed, never held: a blob eight times the heap goes in and out intact. */
class LargeBlobMemoryTest {

    static final long SIZE = 2L * 1024 * 1024 * 1024;

    @TempDir
    Path root;

    @Test
    void twoGibibyteBlobPassesThroughAServerWithA256MibHeap() throws Exception {
        try (ServerProcess server = ServerProcess.start(root, List.of("-Xmx256m", "-XX:+UseSerialGC"))) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI base = URI.create("http://127.0.0.1:" + server.port());

            GeneratedContent content = new GeneratedContent(SIZE);
            HttpResponse<String> started = client.send(HttpRequest.newBuilder(base.resolve("/v2/big/blobs/uploads/"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            String location = started.headers().firstValue("Location").orElseThrow();
            HttpResponse<String> patched = client.send(HttpRequest.newBuilder(base.resolve(location))
                    .method("PATCH", HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> content), SIZE))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(patched.statusCode()).as(patched.body()).isEqualTo(202);
            Digest digest = content.digest();

            String finish = patched.headers().firstValue("Location").orElseThrow() + "&digest=" + digest;
            HttpResponse<String> done = client.send(HttpRequest.newBuilder(base.resolve(finish))
                    .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(done.statusCode()).as(done.body()).isEqualTo(201);

            HttpResponse<InputStream> pulled = client.send(HttpRequest.newBuilder(base.resolve("/v2/big/blobs/" + digest)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(pulled.headers().firstValueAsLong("Content-Length")).hasValue(SIZE);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long total = 0;
            try (InputStream in = pulled.body()) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) != -1; ) {
                    sha.update(buffer, 0, n);
                    total += n;
                }
            }
            assertThat(total).isEqualTo(SIZE);
            assertThat("sha256:" + HexFormat.of().formatHex(sha.digest())).isEqualTo(digest.toString());
            assertThat(server.isAlive()).isTrue();
        }
    }

    /** A stream of pseudo-random bytes that hashes itself as it is read. */
    static final class GeneratedContent extends InputStream {
        private final byte[] block = new byte[1 << 20];
        private final MessageDigest sha;
        private final long size;
        private long position;

        GeneratedContent(long size) throws Exception {
            this.size = size;
            this.sha = MessageDigest.getInstance("SHA-256");
            new Random(42).nextBytes(block);
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position == size) {
                return -1;
            }
            int offset = (int) (position % block.length);
            int n = (int) Math.min(Math.min(len, block.length - offset), size - position);
            System.arraycopy(block, offset, b, off, n);
            // Vary each block so the blob is not one megabyte repeated.
            b[off] ^= (byte) (position / block.length);
            sha.update(b, off, n);
            position += n;
            return n;
        }

        Digest digest() {
            if (position != size) {
                throw new IllegalStateException("content not fully read");
            }
            return Digest.parse("sha256:" + HexFormat.of().formatHex(sha.digest()));
        }
    }
}
