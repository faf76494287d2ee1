package io.berth.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the authentication HTTP tests share: htpasswd files the real {@code htpasswd} writes, Basic headers, token claims. */
final class AuthFixtures {

    static final ObjectMapper JSON = new ObjectMapper();

    private AuthFixtures() {}

    /** An htpasswd file of {@code users} (name to password), written by {@code htpasswd -Bbn -C 4}: real bcrypt, cheap. */
    static Path htpasswd(Path file, Map<String, String> users) throws IOException, InterruptedException {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, String> user : users.entrySet()) {
            Process process = new ProcessBuilder("htpasswd", "-Bbn", "-C", "4", user.getKey(), user.getValue())
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("htpasswd failed (./test installs apache2-utils): " + output);
            }
            lines.add(output);
        }
        Files.createDirectories(file.getParent());
        return Files.write(file, lines);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A JWT's header (part 0) or claims (part 1), decoded without verifying anything. */
    static JsonNode part(String token, int part) throws IOException {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[part]));
    }
}
