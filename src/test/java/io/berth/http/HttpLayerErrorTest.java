package io.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.testing.TestRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests Jetty refuses before the router sees them still get the spec's JSON envelope with the
 * right status and code, an X-Request-Id, no Java names, no body on HEAD, and at once: the client
 * keeps its side of the connection open and still gets the answer.
 */
class HttpLayerErrorTest {

    private static final Pattern JAVA_NAME = Pattern.compile("Exception|Error\\b|java\\.|org\\.eclipse|\\bat [a-z]");
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^Content-Length: *(\\d+)");
    private static final List<String> METHODS = List.of("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE");

    @TempDir
    static Path root;
    static TestRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        registry = TestRegistry.start(root);
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    /**
     * A fault, the request line and headers that carry it, and the answer expected. When the request
     * line itself is bad, Jetty cannot know the method, so even HEAD gets the body.
     */
    record Fault(String name, String requestLine, String headers, int status, String code) {
        boolean methodKnown() {
            return requestLine.endsWith("HTTP/1.1");
        }
    }

    static final List<Fault> FAULTS = List.of(
            new Fault("huge header", "%s /v2/ HTTP/1.1", "X-Big: " + "a".repeat(20_000) + "\r\n", 431, "BAD_REQUEST"),
            new Fault("content length not a number", "%s /v2/ HTTP/1.1", "Content-Length: abc\r\n", 400, "SIZE_INVALID"),
            new Fault("two content lengths", "%s /v2/ HTTP/1.1", "Content-Length: 1\r\nContent-Length: 2\r\n", 400, "SIZE_INVALID"),
            new Fault("unknown transfer encoding", "%s /v2/ HTTP/1.1", "Transfer-Encoding: bogus\r\n", 400, "BAD_REQUEST"),
            new Fault("header line without colon", "%s /v2/ HTTP/1.1", "This is no header\r\n", 400, "BAD_REQUEST"),
            new Fault("header name with a space", "%s /v2/ HTTP/1.1", "Bad Name: x\r\n", 400, "BAD_REQUEST"),
            new Fault("unknown HTTP version", "%s /v2/ HTTP/9.9", "", 505, "BAD_REQUEST"));

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Fault fault : FAULTS) {
            for (String method : METHODS) {
                cases.add(Arguments.of(fault.name(), method, fault));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void aRequestJettyRefusesGetsTheJsonEnvelopeAtOnce(String name, String method, Fault fault) throws Exception {
        String request = fault.requestLine().formatted(method) + "\r\nHost: 127.0.0.1\r\n" + fault.headers() + "\r\n";
        String answer = exchange(request.getBytes(StandardCharsets.ISO_8859_1));
        int split = answer.indexOf("\r\n\r\n");
        assertThat(split).as("a whole head: " + answer).isPositive();
        String head = answer.substring(0, split);
        String body = answer.substring(split + 4);
        assertThat(head).as(name).startsWith("HTTP/1.1 " + fault.status() + " ");
        assertThat(head).containsIgnoringCase("Content-Type: application/json");
        assertThat(head).containsPattern("(?im)^X-Request-Id: *[0-9a-f]{16}\\s*$");
        Matcher length = CONTENT_LENGTH.matcher(head);
        assertThat(length.find()).as("Content-Length in " + head).isTrue();
        if (method.equals("HEAD") && fault.methodKnown()) {
            assertThat(body).as("a HEAD answer has no body").isEmpty();
        } else {
            assertThat(body).hasSize(Integer.parseInt(length.group(1)));
            assertThat(body).startsWith("{\"errors\":[{\"code\":\"" + fault.code() + "\",\"message\":\"");
            assertThat(body).doesNotContainPattern(JAVA_NAME);
        }
    }

    /**
     * Sends the request without closing our side, and reads the answer: the head and as much body as
     * it announces, or until the server closes. A server that waits for more from us times out here.
     */
    private static String exchange(byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", registry.port())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) != -1; ) {
                    all.write(buffer, 0, n);
                    if (complete(all.toString(StandardCharsets.ISO_8859_1))) {
                        break;
                    }
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no whole answer within 5 s, got: " + all.toString(StandardCharsets.ISO_8859_1), e);
            }
            return all.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static boolean complete(String text) {
        int split = text.indexOf("\r\n\r\n");
        if (split < 0) {
            return false;
        }
        String head = text.substring(0, split);
        Matcher length = CONTENT_LENGTH.matcher(text.substring(0, split));
        return length.find() && text.length() - split - 4 >= Integer.parseInt(length.group(1));
    }
}
