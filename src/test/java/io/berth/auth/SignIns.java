package io.berth.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** What the HTTP tests of sign-in share: htpasswd files written by the real {@code htpasswd}, Basic headers, error checks. */
final class SignIns {

    static final ObjectMapper JSON = new ObjectMapper();

    private SignIns() {}

    /** An htpasswd file of bcrypt cost 4 (fast to check) holding {@code users}: user, password, user, password... */
    static Path htpasswdFile(Path file, String... users) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < users.length; i += 2) {
            lines.add(htpasswd("-Bbn", "-C", "4", users[i], users[i + 1]).strip());
        }
        return Files.write(file, lines);
    }

    /**
     * Adds or changes one user in {@code file} with {@code htpasswd -Bb -C 4}, as an operator would,
     * then moves its modification time a second on: two writes in the same clock tick of the file
     * system would otherwise look like one version.
     */
    static void setPassword(Path file, String user, String password) throws Exception {
        FileTime before = Files.getLastModifiedTime(file);
        htpasswd("-Bb", "-C", "4", file.toString(), user, password);
        Files.setLastModifiedTime(file, FileTime.from(before.toInstant().plusSeconds(1)));
    }

    /** Runs {@code htpasswd} with these arguments and returns what it printed. */
    static String htpasswd(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("htpasswd"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor()).as("exit status of %s", command).isZero();
        return out;
    }

    /** The {@code Authorization} value of HTTP Basic for this user and password. */
    static String basic(String user, String password) {
        return basic((user + ":" + password).getBytes(UTF_8));
    }

    /** {@code Basic} and the base64 of these bytes, whatever they are. */
    static String basic(byte[] credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials);
    }

    /** Checks that a response is the spec's error envelope with {@code code} and a message, and no trace of the code that made it. */
    static JsonNode assertError(HttpResponse<byte[]> response, int status, String code) throws IOException {
        String body = new String(response.body(), UTF_8);
        assertThat(response.statusCode()).as(body).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        JsonNode error = JSON.readTree(body).path("errors").path(0);
        assertThat(error.path("code").asText()).as(body).isEqualTo(code);
        assertThat(error.path("message").asText()).as(body).isNotBlank();
        assertNoTrace(body);
        return error;
    }

    /** A 401 in the envelope with the {@code WWW-Authenticate} value {@code challenge}. */
    static void assertChallenged(HttpResponse<byte[]> response, String challenge) throws IOException {
        assertError(response, 401, "UNAUTHORIZED");
        assertThat(response.headers().allValues("WWW-Authenticate")).containsExactly(challenge);
    }

    /** No stack trace or class name of the server's code in a body. */
    static void assertNoTrace(String body) {
        assertThat(body).doesNotContain("Exception", "at io.berth", "at java.", "io.berth.", "org.eclipse");
    }

    /** A JWT's header (part 0) or claims (part 1), decoded without verifying anything. */
    static JsonNode part(String token, int part) throws IOException {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[part]));
    }
}
