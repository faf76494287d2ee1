package io.berth.auth.htpasswd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.testing.MutableClock;
import io.berth.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client sending Basic on every request pays one bcrypt check (cost 10 here, ~50 ms), not one per
 * request: counted by the server's htpasswd file, never timed. A change of the file forgets it.
 */
class RememberedSignInHttpTest {

    @TempDir
    static Path dir;
    static Path users;
    static String alice;
    static final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    static TestRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        alice = HtpasswdTest.htpasswd("alice", "alice-pw", "-C", "10");
        users = Files.write(dir.resolve("htpasswd"), List.of(alice));
        Path config = Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                auth:
                  htpasswd:
                    realm: remembered
                    path: %s
                """.formatted(users));
        registry = TestRegistry.builder(dir.resolve("root")).clock(clock).config(config).start();
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    private static int getAsAlice(String path, String password) throws Exception {
        String credentials = Base64.getEncoder().encodeToString(("alice:" + password).getBytes(UTF_8));
        return registry.get(path, "Authorization", "Basic " + credentials).statusCode();
    }

    @Test
    void fiftyRequestsWithTheSameCredentialsCostOneBcryptCheckUntilTheFileChanges() throws Exception {
        Htpasswd htpasswd = registry.htpasswd();
        long before = htpasswd.bcryptChecks();
        for (int i = 0; i < 25; i++) {
            assertThat(getAsAlice("/v2/", "alice-pw")).isEqualTo(200);
            assertThat(getAsAlice("/v2/team/app/tags/list", "alice-pw")).isEqualTo(404);
        }
        assertThat(htpasswd.bcryptChecks()).isEqualTo(before + 1);

        assertThat(getAsAlice("/v2/", "not-alice-pw")).isEqualTo(401);
        assertThat(getAsAlice("/v2/", "not-alice-pw")).isEqualTo(401);
        assertThat(htpasswd.bcryptChecks()).as("failures are checked every time").isEqualTo(before + 3);

        FileTime modified = Files.getLastModifiedTime(users);
        Files.write(users, List.of(alice, HtpasswdTest.htpasswd("bob", "bob-pw", "-C", "4")));
        Files.setLastModifiedTime(users, FileTime.from(modified.toInstant().plusSeconds(1)));
        clock.advance(Duration.ofSeconds(2)); // the server looks at the file at most once a second of its clock
        for (int i = 0; i < 10; i++) {
            assertThat(getAsAlice("/v2/", "alice-pw")).isEqualTo(200);
        }
        assertThat(htpasswd.bcryptChecks()).as("checked once more after the change, then remembered").isEqualTo(before + 4);
    }
}
