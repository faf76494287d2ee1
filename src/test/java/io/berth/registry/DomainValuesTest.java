package io.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DomainValuesTest {

    @Test
    void digestParsesCanonicalSha256AndSha512() {
        String hex = "a".repeat(64);
        Digest d = Digest.parse("sha256:" + hex);
        assertThat(d.algorithm()).isEqualTo(Digest.Algorithm.SHA256);
        assertThat(d.toString()).isEqualTo("sha256:" + hex);
        assertThat(Digest.parse("sha512:" + "b".repeat(128)).algorithm()).isEqualTo(Digest.Algorithm.SHA512);
    }

    @Test
    void digestOfContentMatchesTheKnownEmptyDigest() {
        assertThat(Digest.sha256(new byte[0]).toString())
                .isEqualTo("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "sha256", "sha256:", "sha256:abc", "SHA256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "md5:d41d8cd98f00b204e9800998ecf8427e", "sha384:" + "a", "sha512:" + "a", "sha256:../../etc/passwd",
            "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"})
    void digestRefusesAnythingElse(String text) {
        assertThatThrownBy(() -> Digest.parse(text))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.error()).isInstanceOf(RegistryError.DigestInvalid.class));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "library/ubuntu", "a.b/c_d/e__f/g-h", "a---b", "0/1/2", "my.registry/team-x/app"})
    void repositoryNameAcceptsTheSpecGrammar(String name) {
        assertThat(RepositoryName.parse(name).value()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "A", "a/", "/a", "a//b", "a/../b", "..", ".", "a_", "_a", "a___b", "a.-b", "a b", "a\u0000b", "a:b"})
    void repositoryNameRefusesAnythingElse(String name) {
        assertThatThrownBy(() -> RepositoryName.parse(name))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.error()).isInstanceOf(RegistryError.NameInvalid.class));
    }

    @Test
    void repositoryNameIsAtMost255Characters() {
        String longest = "a".repeat(255);
        assertThat(RepositoryName.parse(longest).value()).hasSize(255);
        assertThatThrownBy(() -> RepositoryName.parse(longest + "a")).isInstanceOf(RegistryException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"latest", "v1.2.3", "_x", "A-b_c.d"})
    void tagAcceptsTheSpecGrammar(String tag) {
        assertThat(Tag.isValid(tag)).isTrue();
        assertThat(new Tag(tag).value()).isEqualTo(tag);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".hidden", "-x", "a/b", "a:b", "..", "a b"})
    void tagRefusesAnythingElse(String tag) {
        assertThat(Tag.isValid(tag)).isFalse();
        assertThatThrownBy(() -> new Tag(tag)).isInstanceOf(RegistryException.class);
    }

    @Test
    void tagIsAtMost128Characters() {
        assertThat(Tag.isValid("a".repeat(128))).isTrue();
        assertThat(Tag.isValid("a".repeat(129))).isFalse();
    }
}
