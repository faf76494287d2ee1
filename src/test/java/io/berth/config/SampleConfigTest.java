package io.berth.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The shipped configuration files load, and config.sample.yml documents every key of the schema under its full path. */
class SampleConfigTest {

    /** {@code key:} (lower case, or a header name such as {@code X-Content-Type-Options}) after any indentation. */
    private static final Pattern KEY_LINE = Pattern.compile("^( *)([a-z0-9_]+|[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+):(?: |$)");

    @Test
    void sampleConfigurationLoadsWithNothingUnacted() {
        Config config = Config.load(Path.of("config.sample.yml"), Map.of());
        assertThat(config.http().address().getPort()).isEqualTo(5000);
        assertThat(config.storage().rootDirectory()).isEqualTo(Path.of("./data"));
        assertThat(config.health().storageDriver().threshold()).isEqualTo(3);
        assertThat(config.unacted()).as("the keys in force in the sample are all acted on").isEmpty();
    }

    @Test
    void sampleConfigurationDocumentsEveryKeyUnderItsFullPath() throws IOException {
        Set<String> documented = keyPaths(Files.readAllLines(Path.of("config.sample.yml")));
        for (Schema.Key key : Schema.KEYS) {
            assertThat(documented).as("config.sample.yml documents %s", key.pattern())
                    .anySatisfy(path -> assertThat(key.matches(path)).isTrue());
        }
    }

    @Test
    void theKeyPathReaderOfThisTestFollowsCommentedSections() {
        Set<String> paths = keyPaths(List.of("a:", "  b: 1  # note: not a key", "  # c:", "  #   d: x", "# e:", "#   f: [1]",
                "# Prose: is not a key"));
        assertThat(paths).containsExactly("a", "a.b", "a.c", "a.c.d", "e", "e.f");
    }

    @Test
    void replicaExampleOnS3AndRedisLoads() {
        Config config = Config.load(Path.of("examples/s3-redis.yml"), Map.of(
                "REGISTRY_STORAGE_S3_ACCESSKEY", "id", "REGISTRY_STORAGE_S3_SECRETKEY", "key"));
        assertThat(config.storage().driver()).isEqualTo("s3");
        assertThat(config.storage().s3().regionEndpoint()).hasToString("http://minio.internal:9000");
        assertThat(config.storage().s3().rootDirectory()).isEqualTo("/registry");
        assertThat(config.storage().cache().blobDescriptor()).isEqualTo("redis");
        assertThat(config.redis().addr()).isEqualTo("redis.internal:6379");
        assertThat(config.http().debug().prometheusEnabled()).isTrue();
        assertThat(config.unacted()).isEmpty();
    }

    /**
     * The dotted paths of a YAML text whose commented-out keys count too: {@code   #   region:}
     * sits at the indentation of its {@code #} plus that after {@code "# "}.
     */
    private static Set<String> keyPaths(List<String> lines) {
        Set<String> paths = new LinkedHashSet<>();
        List<String> stack = new ArrayList<>();
        List<Integer> indents = new ArrayList<>();
        for (String line : lines) {
            String text = line;
            int hash = line.indexOf('#');
            if (hash >= 0 && line.substring(0, hash).isBlank()) {
                String rest = line.substring(hash + 1);
                text = " ".repeat(hash) + (rest.startsWith(" ") ? rest.substring(1) : rest);
            }
            Matcher m = KEY_LINE.matcher(text);
            if (!m.find()) {
                continue;
            }
            int indent = m.group(1).length();
            while (!indents.isEmpty() && indents.getLast() >= indent) {
                indents.removeLast();
                stack.removeLast();
            }
            stack.add(m.group(2));
            indents.add(indent);
            paths.add(String.join(".", stack));
        }
        return paths;
    }
}
