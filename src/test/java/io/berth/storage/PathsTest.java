package io.berth.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.registry.RepositoryName;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PathsTest {

    static final Digest D = Digest.parse("sha256:" + "0123456789abcdef".repeat(4));
    static final Digest D512 = Digest.parse("sha512:" + "fedcba9876543210".repeat(8));
    static final RepositoryName N = RepositoryName.parse("library/ubuntu");
    static final UploadId U = new UploadId("3f1c1a52-7c1e-4b0e-9d4f-2d7b1c9e8a10");
    static final String V2 = "/docker/registry/v2";
    static final String HEX = "0123456789abcdef".repeat(4);

    static Stream<Arguments> layout() {
        return Stream.of(
                Arguments.of(new Paths.Blobs(), V2 + "/blobs"),
                Arguments.of(new Paths.LayerLinks(N), V2 + "/repositories/library/ubuntu/_layers"),
                Arguments.of(new Paths.ManifestRevisions(N), V2 + "/repositories/library/ubuntu/_manifests/revisions"),
                Arguments.of(new Paths.BlobDir(D), V2 + "/blobs/sha256/01/" + HEX),
                Arguments.of(new Paths.BlobData(D), V2 + "/blobs/sha256/01/" + HEX + "/data"),
                Arguments.of(new Paths.BlobData(D512), V2 + "/blobs/sha512/fe/" + "fedcba9876543210".repeat(8) + "/data"),
                Arguments.of(new Paths.Repositories(), V2 + "/repositories"),
                Arguments.of(new Paths.Repository(N), V2 + "/repositories/library/ubuntu"),
                Arguments.of(new Paths.LayerLinkDir(N, D), V2 + "/repositories/library/ubuntu/_layers/sha256/" + HEX),
                Arguments.of(new Paths.LayerLink(N, D), V2 + "/repositories/library/ubuntu/_layers/sha256/" + HEX + "/link"),
                Arguments.of(new Paths.Uploads(N), V2 + "/repositories/library/ubuntu/_uploads"),
                Arguments.of(new Paths.UploadDir(N, U), V2 + "/repositories/library/ubuntu/_uploads/" + U.value()),
                Arguments.of(new Paths.UploadData(N, U), V2 + "/repositories/library/ubuntu/_uploads/" + U.value() + "/data"),
                Arguments.of(new Paths.UploadStartedAt(N, U), V2 + "/repositories/library/ubuntu/_uploads/" + U.value() + "/startedat"),
                Arguments.of(new Paths.CatalogEntry(RepositoryName.parse("my-org/app.v2/x_9")), V2 + "/_berth/catalog/my-org0app.v30x_:"),
                Arguments.of(new Paths.Secret(StoredSecret.Kind.HTTP_SECRET), V2 + "/_berth/httpsecret/key"),
                Arguments.of(new Paths.SecretCandidate(StoredSecret.Kind.HTTP_SECRET, java.util.UUID.fromString(U.value())), V2 + "/_berth/httpsecret-" + U.value()),
                Arguments.of(new Paths.GcClaim(java.util.UUID.fromString(U.value())), V2 + "/_berth/gc/claims/" + U.value()),
                Arguments.of(new Paths.GcCollecting(), V2 + "/_berth/gc/collecting"),
                Arguments.of(new Paths.GcSweeping(), V2 + "/_berth/gc/sweeping"),
                Arguments.of(new Paths.GcTouched(D), V2 + "/_berth/gc/touched/sha256/" + HEX),
                Arguments.of(new Paths.GcLease(), V2 + "/_berth/gc/lease"),
                Arguments.of(new Paths.ProxyExpiry(N, D, true), V2 + "/_berth/proxy/expiry/library0ubuntu/manifest-sha256-" + HEX),
                Arguments.of(new Paths.ProxyExpiry(RepositoryName.parse("docker.io/x-1"), D512, false),
                        V2 + "/_berth/proxy/expiry/docker.io0x-2/blob-sha512-" + "fedcba9876543210".repeat(8)));
    }

    @org.junit.jupiter.api.Test
    void catalogEntriesSortAsTheNamesDoAndDecodeBack() {
        java.util.List<String> names = java.util.List.of("a", "a-b", "a.b", "a/b", "a/b/c", "a0", "a9", "a_b", "aa", "b");
        java.util.List<String> entries = names.stream().map(Paths::entryName).toList();

        assertThat(entries).isSorted().doesNotHaveDuplicates();
        assertThat(entries.stream().map(Paths::nameOfEntry)).containsExactlyElementsOf(names);
    }

    @org.junit.jupiter.api.Test
    void proxyExpiryEntriesReadBackFromTheirPathsAndStrayFilesAreNone() {
        for (Paths.ProxyExpiry entry : java.util.List.of(new Paths.ProxyExpiry(N, D, true),
                new Paths.ProxyExpiry(RepositoryName.parse("docker.io/x-1"), D512, false))) {
            assertThat(Paths.proxyExpiryAt(Paths.of(entry))).isEqualTo(entry);
        }
        for (String stray : java.util.List.of(V2 + "/_berth/proxy/expiry/library0ubuntu/other-sha256-" + HEX,
                V2 + "/_berth/proxy/expiry/library0ubuntu/blob-sha256-short", V2 + "/_berth/proxy/expiry/x",
                V2 + "/_berth/gc/lease")) {
            assertThat(Paths.proxyExpiryAt(stray)).as(stray).isNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layout")
    void specMapsToDistributionsLayout(Paths.Spec spec, String expected) {
        assertThat(Paths.of(spec)).isEqualTo(expected);
    }
}
