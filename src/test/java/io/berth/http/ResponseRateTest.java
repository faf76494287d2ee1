package io.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import io.berth.testing.TestRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * {@code http.limits.minresponserate} at its default (1024 bytes a second, judged over 10 s spent
 * waiting for the client after a 2 s grace) against raw sockets: a client that stops taking a blob or
 * a manifest is cut after grace and one window; one that reads at a normal rate gets the whole body.
 */
@Isolated("waits on the server's response-rate windows")
class ResponseRateTest {

    private static final int BLOB_BYTES = 16 * 1024 * 1024;
    /** Longer than grace and one window (12 s) of waiting for a client that reads nothing. */
    private static final long STALL_MILLIS = 20_000;
    /** 1 MiB a second: a thousand times the minimum. */
    private static final int NORMAL_PIECE = 64 * 1024;
    private static final long NORMAL_PIECE_MILLIS = 62;

    @TempDir
    static Path root;
    static TestRegistry registry;
    static byte[] blob;
    static Digest blobDigest;
    static byte[] manifest;

    @BeforeAll
    static void start() throws Exception {
        registry = TestRegistry.builder(root).start();
        blob = new byte[BLOB_BYTES];
        new Random(7).nextBytes(blob);
        blobDigest = registry.push("rate/app", blob);
        manifest = largeManifest();
        assertThat(new Images(registry).put("rate/app", "big", manifest, MediaTypes.OCI_MANIFEST).statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    @Test
    void readersThatStopTakingABlobOrAManifestAreCutWhileOneAtANormalRateGetsTheWholeBlob() throws Exception {
        String blobGet = "GET /v2/rate/app/blobs/" + blobDigest + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        String manifestGet = "GET /v2/rate/app/manifests/big HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: " + MediaTypes.OCI_MANIFEST + "\r\n\r\n";
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<byte[]> stalledBlob = clients.submit(stalledReader(blobGet, 0));
            // Two manifests asked for at once on a small receive window: more than the kernel's buffers take
            // up front, so the server has to wait for this client with a manifest's bytes in hand.
            Future<byte[]> stalledManifests = clients.submit(stalledReader(manifestGet + manifestGet, 4096));
            Future<byte[]> normal = clients.submit(ResponseRateTest::normalReader);

            byte[] whole = normal.get(60, TimeUnit.SECONDS);
            assertThat(statusOf(whole)).isEqualTo(200);
            assertThat(Arrays.equals(bodyOf(whole), blob)).as("a reader at 1 MiB a second gets the blob byte-exact").isTrue();

            byte[] cutBlob = stalledBlob.get(60, TimeUnit.SECONDS);
            assertThat(statusOf(cutBlob)).isEqualTo(200);
            assertThat(cutBlob.length).as("bytes a reader that stopped got before the server cut it")
                    .isLessThan(headLength(cutBlob) + BLOB_BYTES);

            byte[] cutManifests = stalledManifests.get(60, TimeUnit.SECONDS);
            assertThat(statusOf(cutManifests)).isEqualTo(200);
            assertThat(cutManifests.length).as("bytes of two manifests a reader that stopped got before the cut")
                    .isLessThan(2 * (headLength(cutManifests) + manifest.length));
        }
        assertThat(registry.get("/v2/rate/app/blobs/" + blobDigest).body()).as("a pull after the cuts").isEqualTo(blob);
    }

    /**
     * Sends {@code request}, reads the first byte of the answer, stops reading for {@link #STALL_MILLIS},
     * then reads everything left at full speed to the end the server made of it.
     */
    private static Callable<byte[]> stalledReader(String request, int receiveBuffer) {
        return () -> {
            try (Socket socket = new Socket()) {
                if (receiveBuffer > 0) {
                    socket.setReceiveBufferSize(receiveBuffer);
                }
                socket.connect(new java.net.InetSocketAddress("127.0.0.1", registry.port()));
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                InputStream in = socket.getInputStream();
                got.write(in.read());
                Thread.sleep(STALL_MILLIS); // the client's stall itself, not a wait for the server
                drain(in, got);
                return got.toByteArray();
            }
        };
    }

    /** GETs the blob reading 64 KiB every 62 ms, about 1 MiB a second. */
    private static byte[] normalReader() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", registry.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET /v2/rate/app/blobs/" + blobDigest + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] piece = new byte[NORMAL_PIECE];
            for (int n; (n = in.readNBytes(piece, 0, piece.length)) > 0; ) {
                got.write(piece, 0, n);
                Thread.sleep(NORMAL_PIECE_MILLIS); // the client's pace
            }
            return got.toByteArray();
        }
    }

    /** Reads to the end of the stream; a reset counts as the end too. */
    private static void drain(InputStream in, ByteArrayOutputStream into) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                into.write(buffer, 0, n);
            }
        } catch (SocketException e) {
            // reset by the server: as much an end as its FIN
        }
    }

    private static int statusOf(byte[] answer) {
        String head = new String(answer, 0, Math.min(answer.length, 12), StandardCharsets.ISO_8859_1);
        assertThat(head).startsWith("HTTP/1.1 ");
        return Integer.parseInt(head.substring(9, 12));
    }

    private static int headLength(byte[] answer) {
        String text = new String(answer, 0, Math.min(answer.length, 8192), StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        assertThat(end).as("end of the response head").isPositive();
        return end + 4;
    }

    private static byte[] bodyOf(byte[] answer) {
        return Arrays.copyOfRange(answer, headLength(answer), answer.length);
    }

    /** An image manifest of just under 4 MiB, its bulk in one annotation; its config is pushed first. */
    private static byte[] largeManifest() throws Exception {
        Digest config = registry.push("rate/app", "{}".getBytes(StandardCharsets.UTF_8));
        String head = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + Images.OCI_CONFIG + "\",\"digest\":\"" + config + "\",\"size\":2},\"layers\":[],\"annotations\":{\"pad\":\"";
        String tail = "\"}}";
        return (head + "x".repeat(4 * 1024 * 1024 - 64 - head.length() - tail.length()) + tail).getBytes(StandardCharsets.UTF_8);
    }
}
