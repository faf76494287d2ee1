package io.berth.storage.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.RepositoryName;
import io.berth.storage.cache.BlobDescriptorService.Lookup;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link BlobDescriptorService} does; each implementation's test extends this. */
abstract class BlobDescriptorServiceContract {

    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    BlobDescriptorService cache;
    /** Fresh names per test, so a shared store never answers from an earlier test. */
    RepositoryName repo;
    RepositoryName other;

    abstract BlobDescriptorService create() throws Exception;

    @BeforeEach
    void open() throws Exception {
        cache = create();
        String unique = UUID.randomUUID().toString().substring(0, 8);
        repo = RepositoryName.parse("contract/" + unique + "/app");
        other = RepositoryName.parse("contract/" + unique + "/other");
    }

    @AfterEach
    void closeCache() {
        cache.close();
    }

    static Digest digest(String seed) {
        return Digest.sha256((seed + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
    }

    Descriptor fill(Scope scope, Digest digest, long size, String mediaType) {
        Lookup lookup = cache.stat(scope, digest);
        assertThat(lookup).isInstanceOf(Lookup.Miss.class);
        Descriptor descriptor = new Descriptor(digest, size, mediaType);
        cache.set(scope, digest, descriptor, ((Lookup.Miss) lookup).epoch());
        return descriptor;
    }

    Lookup.Hit hit(Scope scope, Digest digest) {
        Lookup lookup = cache.stat(scope, digest);
        assertThat(lookup).isInstanceOf(Lookup.Hit.class);
        return (Lookup.Hit) lookup;
    }

    void miss(Scope scope, Digest digest) {
        assertThat(cache.stat(scope, digest)).isInstanceOf(Lookup.Miss.class);
    }

    @Test
    void anUnknownDigestMissesInEveryScope() {
        Digest digest = digest("unknown");
        miss(Scope.GLOBAL, digest);
        miss(Scope.layers(repo), digest);
        miss(Scope.manifests(repo), digest);
    }

    @Test
    void aRepositoryEntryIsSeenInItsScopeAndGlobally() {
        Digest digest = digest("layer");
        Descriptor descriptor = fill(Scope.layers(repo), digest, 1234, Descriptor.OCTET_STREAM);
        assertThat(hit(Scope.layers(repo), digest).descriptor()).isEqualTo(descriptor);
        assertThat(hit(Scope.GLOBAL, digest).descriptor()).isEqualTo(descriptor);
    }

    @Test
    void anEntryOfOneRepositoryDoesNotAnswerForAnother() {
        Digest digest = digest("layer");
        fill(Scope.layers(repo), digest, 10, Descriptor.OCTET_STREAM);
        miss(Scope.layers(other), digest);
    }

    @Test
    void aGlobalEntryDoesNotAnswerForARepository() {
        Digest digest = digest("blob");
        fill(Scope.GLOBAL, digest, 10, Descriptor.OCTET_STREAM);
        hit(Scope.GLOBAL, digest);
        miss(Scope.layers(repo), digest);
    }

    @Test
    void layerLinksAndManifestRevisionsOfARepositoryAreSeparate() {
        Digest layer = digest("layer");
        Digest manifest = digest("manifest");
        fill(Scope.layers(repo), layer, 10, Descriptor.OCTET_STREAM);
        fill(Scope.manifests(repo), manifest, 20, OCI_MANIFEST);
        miss(Scope.manifests(repo), layer);
        miss(Scope.layers(repo), manifest);
        assertThat(hit(Scope.manifests(repo), manifest).descriptor().mediaType()).isEqualTo(OCI_MANIFEST);
    }

    @Test
    void aRepositoryKeepsItsOwnMediaTypeWhileTheGlobalEntryKeepsTheFirst() {
        Digest digest = digest("manifest");
        fill(Scope.GLOBAL, digest, 20, Descriptor.OCTET_STREAM);
        fill(Scope.manifests(repo), digest, 20, OCI_MANIFEST);
        assertThat(hit(Scope.manifests(repo), digest).descriptor().mediaType()).isEqualTo(OCI_MANIFEST);
        assertThat(hit(Scope.GLOBAL, digest).descriptor().mediaType()).isEqualTo(Descriptor.OCTET_STREAM);
    }

    @Test
    void clearForgetsTheRepositoryEntryAndTheGlobalOne() {
        Digest digest = digest("layer");
        fill(Scope.layers(repo), digest, 10, Descriptor.OCTET_STREAM);
        cache.clear(Scope.layers(repo), digest);
        miss(Scope.layers(repo), digest);
        miss(Scope.GLOBAL, digest);
    }

    @Test
    void clearInOneRepositoryLeavesNoEntryThatClaimsTheLinkThere() {
        Digest digest = digest("layer");
        fill(Scope.layers(repo), digest, 10, Descriptor.OCTET_STREAM);
        fill(Scope.layers(other), digest, 10, Descriptor.OCTET_STREAM);
        cache.clear(Scope.layers(repo), digest);
        miss(Scope.layers(repo), digest);
        // The other repository still links it: a hit or a miss is right there, never an error.
        assertThat(cache.stat(Scope.layers(other), digest)).isNotNull();
    }

    @Test
    void clearingWhatIsNotThereIsFine() {
        Digest digest = digest("nothing");
        cache.clear(Scope.layers(repo), digest);
        cache.clear(Scope.GLOBAL, digest);
        miss(Scope.layers(repo), digest);
    }

    @Test
    void everyClearAdvancesTheEpoch() {
        long before = cache.epoch();
        cache.clear(Scope.manifests(repo), digest("x"));
        long middle = cache.epoch();
        cache.clear(Scope.GLOBAL, digest("y"));
        assertThat(middle).isGreaterThan(before);
        assertThat(cache.epoch()).isGreaterThan(middle);
    }

    @Test
    void aFillFromBeforeAClearIsDropped() {
        // A reader misses and reads the link from storage; a delete removes the link and clears;
        // the reader's fill arrives afterwards and must not bring the link back.
        Digest digest = digest("raced");
        long epoch = ((Lookup.Miss) cache.stat(Scope.layers(repo), digest)).epoch();
        cache.clear(Scope.layers(repo), digest);
        cache.set(Scope.layers(repo), digest, Descriptor.of(digest, 10), epoch);
        miss(Scope.layers(repo), digest);
        miss(Scope.GLOBAL, digest);
    }

    @Test
    void aFillWithTheCurrentEpochIsKept() {
        Digest digest = digest("written");
        long epoch = cache.epoch();
        cache.set(Scope.manifests(repo), digest, new Descriptor(digest, 99, OCI_MANIFEST), epoch);
        assertThat(hit(Scope.manifests(repo), digest).descriptor()).isEqualTo(new Descriptor(digest, 99, OCI_MANIFEST));
    }

    @Test
    void sha512DigestsAndSizesPastFourGibibytesRoundTrip() {
        Digest digest = Digest.of(Digest.Algorithm.SHA512, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        Descriptor descriptor = fill(Scope.layers(repo), digest, 5L << 32, Descriptor.OCTET_STREAM);
        assertThat(hit(Scope.layers(repo), digest).descriptor()).isEqualTo(descriptor);
    }
}
